//! Box-constrained Nelder–Mead simplex minimiser (Nelder & Mead 1965; coefficients reflection
//! 1, expansion 2, contraction ½, shrink ½). Bounds are enforced by clamping every trial point
//! into the box, which is adequate for the smooth two-parameter SSE surfaces it serves.

/// Minimises `f` from `start` inside `[lo, hi]` (per coordinate); returns (argmin, min).
pub(super) fn minimize<const D: usize>(
    f: impl Fn(&[f64; D]) -> f64,
    start: [f64; D],
    step: f64,
    lo: [f64; D],
    hi: [f64; D],
    max_iter: usize,
) -> ([f64; D], f64) {
    let clamp = |mut p: [f64; D]| {
        for d in 0..D {
            p[d] = p[d].clamp(lo[d], hi[d]);
        }
        p
    };
    let eval = |p: [f64; D]| {
        let p = clamp(p);
        (p, f(&p))
    };
    let mut simplex: Vec<([f64; D], f64)> = Vec::with_capacity(D + 1);
    simplex.push(eval(start));
    for d in 0..D {
        let mut p = start;
        // Step inwards when the start sits on the upper bound.
        p[d] += if p[d] + step <= hi[d] { step } else { -step };
        simplex.push(eval(p));
    }
    let along = |a: &[f64; D], b: &[f64; D], t: f64| {
        let mut p = [0.0; D];
        for d in 0..D {
            p[d] = a[d] + t * (b[d] - a[d]);
        }
        p
    };
    for _ in 0..max_iter {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst) = (simplex[0].1, simplex[D].1);
        if (worst - best).abs() <= 1e-12 * (best.abs() + 1e-300) {
            break;
        }
        let mut centroid = [0.0; D];
        for (p, _) in &simplex[..D] {
            for d in 0..D {
                centroid[d] += p[d] / D as f64;
            }
        }
        let worst_point = simplex[D].0;
        let reflected = eval(along(&centroid, &worst_point, -1.0));
        if reflected.1 < best {
            let expanded = eval(along(&centroid, &worst_point, -2.0));
            simplex[D] = if expanded.1 < reflected.1 {
                expanded
            } else {
                reflected
            };
        } else if reflected.1 < simplex[D - 1].1 {
            simplex[D] = reflected;
        } else {
            let contracted = eval(along(&centroid, &worst_point, 0.5));
            if contracted.1 < worst {
                simplex[D] = contracted;
            } else {
                let anchor = simplex[0].0;
                for vertex in simplex.iter_mut().skip(1) {
                    *vertex = eval(along(&anchor, &vertex.0, 0.5));
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    simplex[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_interior_and_boundary_minima() {
        let bowl = |p: &[f64; 2]| (p[0] - 0.3).powi(2) + 2.0 * (p[1] - 0.7).powi(2);
        let (x, v) = minimize(bowl, [0.5, 0.5], 0.1, [0.0; 2], [1.0; 2], 500);
        assert!((x[0] - 0.3).abs() < 1e-5 && (x[1] - 0.7).abs() < 1e-5 && v < 1e-10);
        // Minimum outside the box at (1.5, −1): the clamped optimum is the corner (1, 0).
        let outside = |p: &[f64; 2]| (p[0] - 1.5).powi(2) + (p[1] + 1.0).powi(2);
        let (x, _) = minimize(outside, [0.5, 0.5], 0.1, [0.0; 2], [1.0; 2], 500);
        assert!((x[0] - 1.0).abs() < 1e-6 && x[1].abs() < 1e-6, "{x:?}");
    }
}
