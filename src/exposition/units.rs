//! Framework0 units in Prometheus base units: durations in seconds, sizes in bytes
//! (Prometheus's naming guide), with the family name carrying the unit as its suffix
//! (`step_wall_time` in `ns` → `step_wall_time_seconds`, values divided by 10⁹).
//!
//! `KB` and `MB` are read as binary multiples (1024, 1024²), as Framework0's Python collectors
//! compute them from psutil byte counts.

/// The Prometheus unit of an f0 unit and the factors that convert values into it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BaseUnit {
    /// The unit name (`seconds`, `bytes`, `percent`), or none for plain numbers.
    pub name: Option<&'static str>,
    /// A value in the f0 unit is `value * mul / div` in the base unit. Sub-units divide by
    /// an exact power of ten, so `1500 ns` is exactly the double nearest `1.5e-6 s`.
    mul: f64,
    div: f64,
}

impl BaseUnit {
    /// Plain numbers, unchanged.
    pub const NONE: BaseUnit = BaseUnit {
        name: None,
        mul: 1.0,
        div: 1.0,
    };

    const fn of(name: &'static str, mul: f64, div: f64) -> BaseUnit {
        BaseUnit {
            name: Some(name),
            mul,
            div,
        }
    }

    /// `v` (in the f0 unit) in the base unit.
    pub fn to_base(&self, v: f64) -> f64 {
        v * self.mul / self.div
    }

    /// True when the base unit is seconds (timer buckets suit it).
    pub fn is_seconds(&self) -> bool {
        self.name == Some("seconds")
    }
}

/// The base unit of the Framework0 unit string `unit` (`ns`, `μs`, `ms`, `s`, `bytes`, `KB`,
/// `MB`, `%`, `count`, `ops/s`); anything else is a plain number.
pub fn base_unit(unit: &str) -> BaseUnit {
    match unit {
        "ns" => BaseUnit::of("seconds", 1.0, 1e9),
        "\u{03bc}s" | "\u{00b5}s" | "us" => BaseUnit::of("seconds", 1.0, 1e6),
        "ms" => BaseUnit::of("seconds", 1.0, 1e3),
        "s" => BaseUnit::of("seconds", 1.0, 1.0),
        "bytes" => BaseUnit::of("bytes", 1.0, 1.0),
        "KB" => BaseUnit::of("bytes", 1024.0, 1.0),
        "MB" => BaseUnit::of("bytes", 1024.0 * 1024.0, 1.0),
        "%" => BaseUnit::of("percent", 1.0, 1.0),
        _ => BaseUnit::NONE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_become_seconds_and_sizes_bytes() {
        assert_eq!(base_unit("ns").name, Some("seconds"));
        assert_eq!(base_unit("ns").to_base(1500.0), 1.5e-6);
        assert_eq!(base_unit("ns").to_base(303e6), 0.303);
        assert_eq!(base_unit("\u{03bc}s").to_base(2.0), 2e-6);
        assert_eq!(base_unit("ms").to_base(250.0), 0.25);
        assert!(base_unit("s").is_seconds());
        assert_eq!(base_unit("MB").to_base(2.0), 2097152.0);
        assert_eq!(base_unit("KB").name, Some("bytes"));
        assert_eq!(base_unit("%").name, Some("percent"));
        assert_eq!(base_unit("count"), BaseUnit::NONE);
        assert_eq!(base_unit("ops/s"), BaseUnit::NONE);
        assert_eq!(base_unit("furlongs"), BaseUnit::NONE);
    }
}
