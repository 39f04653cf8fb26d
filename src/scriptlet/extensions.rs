//! Values a program attaches to a [`Registry`](super::Registry) for the scriptlets it runs —
//! a type map keyed by type, e.g. the custom collectors and analyzers of [`crate::plugin`].
//!
//! A step reaches them through [`StepEnv::extension`](super::StepEnv::extension); argument
//! checks (whose hook takes only the arguments) reach them through [`scoped`] while
//! [`in_scope`] runs them — `f0 validate` and the runner's pre-check wrap every scriptlet's
//! checks this way, so a scriptlet's checks see the same extensions its run does.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

/// A type map of shared values (cloning shares them).
#[derive(Clone, Default)]
pub struct Extensions {
    map: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
}

impl std::fmt::Debug for Extensions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Extensions({} values)", self.map.len())
    }
}

impl Extensions {
    /// Attaches `value`, replacing an earlier value of its type.
    pub fn insert<T: Any + Send + Sync>(&mut self, value: Arc<T>) {
        self.map.insert(TypeId::of::<T>(), value);
    }

    /// The value of type `T`, if one is attached.
    pub fn get<T: Any + Send + Sync>(&self) -> Option<Arc<T>> {
        self.map
            .get(&TypeId::of::<T>())
            .cloned()
            .and_then(|v| v.downcast::<T>().ok())
    }
}

thread_local! {
    static SCOPE: RefCell<Option<Extensions>> = const { RefCell::new(None) };
}

/// Runs `f` with `ext` visible to [`scoped`] on this thread (the previous scope comes back
/// afterwards, also when `f` panics).
pub fn in_scope<R>(ext: &Extensions, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Extensions>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            SCOPE.with(|s| *s.borrow_mut() = previous);
        }
    }
    let previous = SCOPE.with(|s| s.borrow_mut().replace(ext.clone()));
    let _restore = Restore(previous);
    f()
}

/// The value of type `T` in the innermost [`in_scope`] on this thread.
pub fn scoped<T: Any + Send + Sync>() -> Option<Arc<T>> {
    SCOPE.with(|s| s.borrow().as_ref().and_then(Extensions::get::<T>))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_found_by_type_and_only_inside_their_scope() {
        let mut ext = Extensions::default();
        ext.insert(Arc::new(7_u32));
        assert_eq!(ext.get::<u32>().as_deref(), Some(&7));
        assert!(ext.get::<String>().is_none());
        assert!(scoped::<u32>().is_none());
        let inner = in_scope(&ext, || {
            let mut other = Extensions::default();
            other.insert(Arc::new(9_u32));
            let nested = in_scope(&other, || *scoped::<u32>().unwrap());
            (nested, *scoped::<u32>().unwrap())
        });
        assert_eq!(inner, (9, 7));
        assert!(scoped::<u32>().is_none());
    }
}
