//! One perf mmap ring buffer: a metadata page followed by `2^n` data pages. The kernel
//! advances `data_head`; we copy what lies between our `data_tail` and it, then publish the
//! new tail so the kernel may reuse the space.

use std::io;
use std::sync::atomic::{fence, Ordering};

use perf_event_open_sys::bindings::perf_event_mmap_page;

/// A mapped ring buffer.
pub struct Ring {
    base: *mut u8,
    len: usize,
    data: *const u8,
    data_size: usize,
}

// SAFETY: the mapping is owned by the Ring and only read (data) or written (tail) through
// &mut self.
unsafe impl Send for Ring {}

impl Ring {
    /// Maps `pages` data pages (a power of two) of page size `page` for `fd`.
    pub fn map(fd: i32, pages: usize, page: usize) -> io::Result<Ring> {
        let len = (pages + 1) * page;
        // SAFETY: a fresh shared mapping of the event's buffer; checked for MAP_FAILED.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let base = base.cast::<u8>();
        // SAFETY: the data area starts one page into the mapping.
        let data = unsafe { base.add(page) };
        Ok(Ring {
            base,
            len,
            data,
            data_size: pages * page,
        })
    }

    fn meta(&self) -> *mut perf_event_mmap_page {
        self.base.cast()
    }

    /// Appends every complete record now in the ring to `out` (raw bytes, records back to
    /// back) and frees their space. Returns the number of bytes copied.
    pub fn drain(&mut self, out: &mut Vec<u8>) -> usize {
        let meta = self.meta();
        // SAFETY: reading the kernel-updated head of our own mapping.
        let head = unsafe { std::ptr::addr_of!((*meta).data_head).read_volatile() };
        fence(Ordering::Acquire);
        // SAFETY: the tail is ours to read.
        let tail = unsafe { std::ptr::addr_of!((*meta).data_tail).read_volatile() };
        let avail = head.wrapping_sub(tail) as usize;
        if avail == 0 {
            return 0;
        }
        let avail = avail.min(self.data_size);
        let start = (tail as usize) % self.data_size;
        let first = avail.min(self.data_size - start);
        // SAFETY: both slices lie inside the data area.
        unsafe {
            out.extend_from_slice(std::slice::from_raw_parts(self.data.add(start), first));
            out.extend_from_slice(std::slice::from_raw_parts(self.data, avail - first));
        }
        fence(Ordering::Release);
        // SAFETY: publishing our new tail.
        unsafe {
            std::ptr::addr_of_mut!((*meta).data_tail)
                .write_volatile(tail.wrapping_add(avail as u64))
        };
        avail
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        // SAFETY: unmapping the mapping we made, once.
        unsafe { libc::munmap(self.base.cast(), self.len) };
    }
}
