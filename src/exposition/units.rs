//! Framework0 units in Prometheus base units: durations in seconds, sizes in bytes
//! (Prometheus's naming guide), with the family name carrying the unit as its suffix
//! (`step_wall_time` in `ns` → `step_wall_time_seconds`, values divided by 10⁹).
//!
//! `KB` and `MB` are read as binary multiples (1024, 1024²), as Framework0's Python collectors
//! compute them from psutil byte counts.

/// The Prometheus unit of an f0 unit and the factor that converts values into it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BaseUnit {
    /// The unit name (`seconds`, `bytes`, `percent`), or none for plain numbers.
    pub name: Option<&'static str>,
    /// Multiply a value in the f0 unit by this to get the base unit.
    pub scale: f64,
}

impl BaseUnit {
    const NONE: BaseUnit = BaseUnit {
        name: None,
        scale: 1.0,
    };

    const fn of(name: &'static str, scale: f64) -> BaseUnit {
        BaseUnit {
            name: Some(name),
            scale,
        }
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
        "ns" => BaseUnit::of("seconds", 1e-9),
        "\u{03bc}s" | "\u{00b5}s" | "us" => BaseUnit::of("seconds", 1e-6),
        "ms" => BaseUnit::of("seconds", 1e-3),
        "s" => BaseUnit::of("seconds", 1.0),
        "bytes" => BaseUnit::of("bytes", 1.0),
        "KB" => BaseUnit::of("bytes", 1024.0),
        "MB" => BaseUnit::of("bytes", 1024.0 * 1024.0),
        "%" => BaseUnit::of("percent", 1.0),
        _ => BaseUnit::NONE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_become_seconds_and_sizes_bytes() {
        assert_eq!(base_unit("ns"), BaseUnit::of("seconds", 1e-9));
        assert_eq!(base_unit("\u{03bc}s").scale, 1e-6);
        assert_eq!(base_unit("ms").scale, 1e-3);
        assert!(base_unit("s").is_seconds());
        assert_eq!(base_unit("MB"), BaseUnit::of("bytes", 1048576.0));
        assert_eq!(base_unit("%").name, Some("percent"));
        assert_eq!(base_unit("count"), BaseUnit::NONE);
        assert_eq!(base_unit("ops/s"), BaseUnit::NONE);
        assert_eq!(base_unit("furlongs"), BaseUnit::NONE);
    }
}
