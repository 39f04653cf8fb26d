//! The generated anomaly benchmark corpus: labelled synthetic series modelled on the kinds of
//! streams NAB holds (noise-only series, spikes, level shifts, variance changes, drifts,
//! broken daily patterns, and "real-like" mixtures: server CPU, request counts with a daily
//! cycle, machine temperature, traffic speed, spike density). Each series is 5-minute data;
//! labels are anomaly onsets. Everything is seeded: `corpus(seed)` is the same on every
//! machine, and different seeds give independent corpora (one to choose defaults on, one
//! held out).
//!
//! Shared by `examples/anomaly_benchmark.rs`, the `online` bench and the integration tests
//! (included with `#[path]`).
#![allow(dead_code)]

use framework0::analyze::rng::Xoshiro256;

/// Points per day at 5-minute sampling.
pub const DAY: usize = 288;

/// One labelled series.
#[derive(Debug, Clone)]
pub struct Series {
    /// `category/name`.
    pub name: String,
    /// The category (noise, spike, shift, variance, drift, seasonal, mixed).
    pub category: &'static str,
    /// The values.
    pub values: Vec<f64>,
    /// Anomaly onsets (indices).
    pub anomalies: Vec<usize>,
}

/// Start of the synthetic timestamps (2014-04-01T00:00:00Z) and their spacing, seconds.
pub const START_S: i64 = 1_396_310_400;
/// Sampling interval, seconds.
pub const STEP_S: i64 = 300;

/// `YYYY-MM-DD HH:MM:SS` of point `i` (the NAB CSV form).
pub fn timestamp(i: usize) -> String {
    let t = START_S + i as i64 * STEP_S;
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Civil date from days since 1970 (Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The series as NAB-style CSV (`timestamp,value` header, one row per point).
pub fn to_csv(s: &Series) -> String {
    let mut out = String::from("timestamp,value\n");
    for (i, v) in s.values.iter().enumerate() {
        out.push_str(&format!("{},{v}\n", timestamp(i)));
    }
    out
}

struct Gen {
    rng: Xoshiro256,
}

impl Gen {
    fn normal(&mut self) -> f64 {
        self.rng.standard_normal()
    }

    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        self.rng.uniform(lo, hi)
    }

    fn int(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.rng.below(hi - lo + 1)
    }

    fn sign(&mut self) -> f64 {
        if self.rng.next_f64() < 0.5 {
            -1.0
        } else {
            1.0
        }
    }

    /// Student t with `nu` degrees of freedom (normal / √(χ²/ν)).
    fn student(&mut self, nu: usize) -> f64 {
        let chi: f64 = (0..nu).map(|_| self.normal().powi(2)).sum();
        self.normal() / (chi / nu as f64).sqrt()
    }

    /// Poisson deviate (Knuth for small λ, normal approximation above 30).
    fn poisson(&mut self, lambda: f64) -> f64 {
        if lambda > 30.0 {
            return (lambda + lambda.sqrt() * self.normal()).round().max(0.0);
        }
        let l = (-lambda).exp();
        let (mut k, mut p) = (0.0, 1.0);
        loop {
            p *= self.rng.next_f64();
            if p <= l {
                return k;
            }
            k += 1.0;
        }
    }

    fn ar1(&mut self, n: usize, phi: f64, sigma: f64) -> Vec<f64> {
        let mut x = 0.0;
        let innovation = sigma * (1.0 - phi * phi).sqrt();
        (0..n)
            .map(|_| {
                x = phi * x + innovation * self.normal();
                x
            })
            .collect()
    }

    /// Onsets spread over the scored part of a series (after probation, before the end).
    fn onsets(&mut self, n: usize, count: usize) -> Vec<usize> {
        let lo = (0.25 * n as f64) as usize;
        let hi = (0.92 * n as f64) as usize;
        let slot = (hi - lo) / count;
        (0..count)
            .map(|k| lo + k * slot + self.int(slot / 5, slot * 4 / 5))
            .collect()
    }
}

/// A daily profile: 0 at night, 1 at the busiest hour; `shape` picks sine, business-hours
/// plateau or square wave.
fn daily(i: usize, shape: usize) -> f64 {
    let phase = (i % DAY) as f64 / DAY as f64;
    match shape % 3 {
        0 => 0.5 - 0.5 * (phase * std::f64::consts::TAU).cos(),
        1 => {
            let up = ((phase - 0.3) / 0.05).clamp(0.0, 1.0);
            let down = ((0.75 - phase) / 0.05).clamp(0.0, 1.0);
            up.min(down)
        }
        _ => f64::from(u8::from((0.25..0.7).contains(&phase))),
    }
}

fn length(g: &mut Gen) -> usize {
    g.int(3000, 6000)
}

fn noise_only(g: &mut Gen, k: usize) -> Series {
    let n = length(g);
    let values: Vec<f64> = match k % 12 {
        0 => (0..n).map(|_| 50.0 + 5.0 * g.normal()).collect(),
        1 => g.ar1(n, 0.9, 3.0).into_iter().map(|x| 40.0 + x).collect(),
        2 => (0..n)
            .map(|i| 20.0 + 30.0 * daily(i, 0) + 2.0 * g.normal())
            .collect(),
        3 => (0..n).map(|i| 10.0 + 70.0 * daily(i, 2)).collect(),
        4 => vec![17.5; n],
        5 => (0..n).map(|_| 100.0 + 4.0 * g.student(3)).collect(),
        6 => (0..n).map(|i| g.poisson(2.0 + 6.0 * daily(i, 0))).collect(),
        7 => cpu_like(g, n),
        8 => {
            let ou = g.ar1(n, 0.995, 8.0);
            ou.into_iter().map(|x| 60.0 + x).collect()
        }
        9 => (0..n)
            .map(|_| (3.0 + 1.2 * g.normal()).round().clamp(0.0, 8.0))
            .collect(),
        10 => (0..n)
            .map(|i| {
                let weekend = (i / DAY) % 7 >= 5;
                let amp = if weekend { 15.0 } else { 40.0 };
                30.0 + amp * daily(i, 1) + 3.0 * g.normal()
            })
            .collect(),
        _ => (0..n)
            .map(|i| 10.0 + 0.004 * i as f64 + g.normal())
            .collect(),
    };
    Series {
        name: format!("noise/{k}"),
        category: "noise",
        values,
        anomalies: Vec::new(),
    }
}

/// Idle CPU with short normal bursts (heavy right tail), clipped to [0, 100].
fn cpu_like(g: &mut Gen, n: usize) -> Vec<f64> {
    let base = g.uniform(5.0, 30.0);
    let mut burst = 0usize;
    (0..n)
        .map(|_| {
            if burst == 0 && g.rng.next_f64() < 0.01 {
                burst = g.int(1, 4);
            }
            let b = if burst > 0 {
                burst -= 1;
                g.uniform(10.0, 25.0)
            } else {
                0.0
            };
            (base + 1.5 * g.normal() + b).clamp(0.0, 100.0)
        })
        .collect()
}

/// A base signal for the planted anomalies and its noise scale.
fn base(g: &mut Gen, n: usize, kind: usize) -> (Vec<f64>, f64) {
    match kind % 5 {
        0 => {
            let s = g.uniform(1.0, 5.0);
            ((0..n).map(|_| 50.0 + s * g.normal()).collect(), s)
        }
        1 => {
            let s = g.uniform(1.0, 4.0);
            (g.ar1(n, 0.8, s).into_iter().map(|x| x + 30.0).collect(), s)
        }
        2 => {
            let s = g.uniform(1.0, 3.0);
            let amp = g.uniform(10.0, 40.0);
            let shape = g.int(0, 1);
            (
                (0..n)
                    .map(|i| 20.0 + amp * daily(i, shape) + s * g.normal())
                    .collect(),
                s,
            )
        }
        3 => (cpu_like(g, n), 1.5),
        _ => {
            let lambda = g.uniform(5.0, 40.0);
            ((0..n).map(|_| g.poisson(lambda)).collect(), lambda.sqrt())
        }
    }
}

fn planted(g: &mut Gen, k: usize, category: &'static str) -> Series {
    let n = length(g);
    let (mut v, s) = base(g, n, k + k / 5);
    let count = if category == "spike" { g.int(1, 3) } else { 1 };
    let onsets = g.onsets(n, count);
    for &a in &onsets {
        match category {
            "spike" => {
                let width = g.int(1, 3);
                let h = g.sign() * g.uniform(6.0, 14.0) * s;
                for x in v.iter_mut().skip(a).take(width) {
                    *x += h;
                }
            }
            "shift" => {
                let d = g.sign() * g.uniform(3.0, 8.0) * s;
                let dur = if g.rng.next_f64() < 0.5 {
                    n
                } else {
                    g.int(DAY / 2, 2 * DAY)
                };
                for x in v.iter_mut().skip(a).take(dur) {
                    *x += d;
                }
            }
            "variance" => {
                let m = g.uniform(3.0, 6.0);
                let dur = g.int(50, DAY);
                let mean = v[..a].iter().sum::<f64>() / a as f64;
                for x in v.iter_mut().skip(a).take(dur) {
                    *x = mean + (*x - mean) * m;
                }
            }
            _ => {
                // Drift: a ramp over `dur` points to `d`, then staying there.
                let d = g.sign() * g.uniform(5.0, 12.0) * s;
                let dur = g.int(100, 400);
                for (j, x) in v.iter_mut().enumerate().skip(a) {
                    *x += d * ((j - a) as f64 / dur as f64).min(1.0);
                }
            }
        }
    }
    Series {
        name: format!("{category}/{k}"),
        category,
        values: v,
        anomalies: onsets,
    }
}

/// A daily pattern with one broken day (NAB's art_daily_* family and more).
fn seasonal_break(g: &mut Gen, k: usize) -> Series {
    let n = g.int(3500, 6000);
    let shape = k % 3;
    let amp = g.uniform(20.0, 60.0);
    let s = g.uniform(0.5, 3.0);
    let day0 = g.int(
        (0.3 * n as f64) as usize / DAY,
        (0.8 * n as f64) as usize / DAY,
    );
    let a = day0 * DAY + g.int(0, DAY / 2);
    let values = (0..n)
        .map(|i| {
            let mut p = daily(i, shape);
            let in_break = i >= a && i < a + DAY;
            if in_break {
                p = match k % 5 {
                    0 => p * 1.6,                   // jumps up
                    1 => p * 0.4,                   // jumps down
                    2 => 0.5,                       // flat middle
                    3 => daily(i + DAY / 4, shape), // phase shift
                    _ => p.min(0.6),                // the peak does not come
                };
            }
            10.0 + amp * p + s * g.normal()
        })
        .collect();
    Series {
        name: format!("seasonal/{k}"),
        category: "seasonal",
        values,
        anomalies: vec![a],
    }
}

/// Request counts with a daily cycle, heavy-tailed noise and news spikes.
fn requests(g: &mut Gen, n: usize) -> (Vec<f64>, Vec<usize>) {
    let base = g.uniform(20.0, 80.0);
    let on = g.onsets(n, 2);
    let v = (0..n)
        .map(|i| {
            let mut lambda = base * (0.4 + daily(i, 0));
            if on.iter().any(|&a| i >= a && i < a + 12) {
                lambda *= g.uniform(4.0, 8.0);
            }
            g.poisson(lambda) + (3.0 * g.student(2)).abs().round()
        })
        .collect();
    (v, on)
}

/// Machine temperature: smooth AR, then a failure that drops it by 30 for 200 points.
fn temperature(g: &mut Gen, n: usize) -> (Vec<f64>, Vec<usize>) {
    let on = g.onsets(n, 1);
    let ar = g.ar1(n, 0.98, 2.0);
    let a = on[0];
    let v = (0..n)
        .map(|i| {
            let failure = if i >= a && i < a + 200 {
                -30.0 * ((i - a) as f64 / 20.0).min(1.0)
            } else {
                0.0
            };
            80.0 + ar[i] + failure
        })
        .collect();
    (v, on)
}

/// CPU that moves to a new plateau (a misconfiguration) and back.
fn plateau(g: &mut Gen, n: usize) -> (Vec<f64>, Vec<usize>) {
    let mut v = cpu_like(g, n);
    let on = g.onsets(n, 1);
    let up = g.uniform(15.0, 35.0);
    for x in v.iter_mut().skip(on[0]).take(g.int(DAY, 3 * DAY)) {
        *x = (*x + up).min(100.0);
    }
    (v, on)
}

/// Traffic speed: noisy around a limit, a jam halves it for a while.
fn traffic(g: &mut Gen, n: usize) -> (Vec<f64>, Vec<usize>) {
    let on = g.onsets(n, 2);
    let v = (0..n)
        .map(|i| {
            let jam = on.iter().any(|&a| i >= a && i < a + 30);
            let limit = if jam { 35.0 } else { 65.0 };
            (limit + 4.0 * g.student(4) - 5.0 * daily(i, 1)).round()
        })
        .collect();
    (v, on)
}

/// Spike density: rare load spikes become frequent for a day.
fn spike_density(g: &mut Gen, n: usize) -> (Vec<f64>, Vec<usize>) {
    let on = g.onsets(n, 1);
    let v = (0..n)
        .map(|i| {
            let rate = if i >= on[0] && i < on[0] + DAY {
                0.08
            } else {
                0.003
            };
            let spike = if g.rng.next_f64() < rate { 25.0 } else { 0.0 };
            20.0 + 2.0 * g.normal() + spike
        })
        .collect();
    (v, on)
}

/// A counter that stops (a flat line where there was noise), then recovers.
fn stalled(g: &mut Gen, n: usize) -> (Vec<f64>, Vec<usize>) {
    let on = g.onsets(n, 1);
    let mut v: Vec<f64> = (0..n).map(|_| (12.0 + 3.0 * g.normal()).round()).collect();
    let dur = g.int(40, 150);
    for x in v.iter_mut().skip(on[0]).take(dur) {
        *x = 0.0;
    }
    (v, on)
}

/// Mixtures modelled on NAB's real streams.
fn mixed(g: &mut Gen, k: usize) -> Series {
    let n = length(g);
    let make = [
        requests,
        temperature,
        plateau,
        traffic,
        spike_density,
        stalled,
    ][k % 6];
    let (values, anomalies) = make(g, n);
    Series {
        name: format!("mixed/{k}"),
        category: "mixed",
        values,
        anomalies,
    }
}

/// The corpus for `seed`: 12 noise-only, 10 spike, 10 shift, 8 variance, 6 drift, 10
/// seasonal-break and 12 mixed series.
pub fn corpus(seed: u64) -> Vec<Series> {
    let mut g = Gen {
        rng: Xoshiro256::seed_from_u64(seed),
    };
    let mut out = Vec::new();
    out.extend((0..12).map(|k| noise_only(&mut g, k)));
    out.extend((0..10).map(|k| planted(&mut g, k, "spike")));
    out.extend((0..10).map(|k| planted(&mut g, k, "shift")));
    out.extend((0..8).map(|k| planted(&mut g, k, "variance")));
    out.extend((0..6).map(|k| planted(&mut g, k, "drift")));
    out.extend((0..10).map(|k| seasonal_break(&mut g, k)));
    out.extend((0..12).map(|k| mixed(&mut g, k)));
    out
}
