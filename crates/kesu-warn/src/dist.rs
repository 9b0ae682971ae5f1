//! Count distributions for weekly complaint counts: Poisson and negative
//! binomial upper tails and quantiles, computed from `ln Γ` so that small
//! counts (0–10 a week) get exact discrete tails rather than a normal
//! approximation.
//!
//! The negative binomial is parameterised by its mean `μ` and variance
//! `φ·μ` (`φ` the dispersion of a quasi-Poisson fit); `φ ≤ 1` is the Poisson.

/// Dispersion at or below which the negative binomial is treated as Poisson
/// (`r = μ/(φ−1)` would overflow to an uninformative size).
const POISSON_PHI: f64 = 1.0 + 1e-9;

/// Relative size below which further tail terms are dropped.
const TAIL_EPS: f64 = 1e-17;

/// Natural logarithm of the gamma function for `x > 0`.
///
/// Lanczos approximation (g = 7, 9 coefficients), accurate to about 1e-14
/// relative over the range used here; below 0.5 it steps up with
/// `ln Γ(x) = ln Γ(x+1) − ln x` rather than reflecting, since only positive
/// arguments occur.
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    debug_assert!(x > 0.0, "ln_gamma of non-positive {x}");
    if x < 0.5 {
        return ln_gamma(x + 1.0) - x.ln();
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// A count distribution with mean `mean` and variance `phi · mean`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CountModel {
    /// The mean `μ` (> 0).
    pub mean: f64,
    /// The dispersion `φ = variance / mean` (≥ 1; 1 is Poisson).
    pub phi: f64,
}

impl CountModel {
    /// A model with this mean and dispersion; `phi` below 1 is raised to 1
    /// (under-dispersion is not modelled: it would narrow thresholds on the
    /// strength of a noisy variance estimate).
    pub fn new(mean: f64, phi: f64) -> CountModel {
        CountModel {
            mean,
            phi: phi.max(1.0),
        }
    }

    /// `ln P(X = k)`.
    pub fn ln_pmf(&self, k: u64) -> f64 {
        let k = k as f64;
        if self.phi <= POISSON_PHI {
            k * self.mean.ln() - self.mean - ln_gamma(k + 1.0)
        } else {
            let (r, p) = self.size_prob();
            ln_gamma(k + r) - ln_gamma(r) - ln_gamma(k + 1.0) + r * p.ln() + k * (1.0 - p).ln()
        }
    }

    /// NB size `r` and success probability `p` (mean `r(1−p)/p`).
    fn size_prob(&self) -> (f64, f64) {
        let r = self.mean / (self.phi - 1.0);
        (r, 1.0 / self.phi)
    }

    /// `P(X_{k+1}) / P(X_k)`.
    fn ratio_up(&self, k: f64) -> f64 {
        if self.phi <= POISSON_PHI {
            self.mean / (k + 1.0)
        } else {
            let (r, p) = self.size_prob();
            (k + r) * (1.0 - p) / (k + 1.0)
        }
    }

    /// Upper tail `P(X ≥ k)`.
    ///
    /// Above the mean the tail is summed upwards from `k` (terms shrink
    /// geometrically), so tiny p-values keep their precision; at or below the
    /// mean it is `1 − P(X ≤ k−1)`, summed downwards from `k−1`, which
    /// never starts from an underflowing `P(X = 0)`.
    pub fn upper_tail(&self, k: u64) -> f64 {
        if k == 0 {
            return 1.0;
        }
        if k as f64 > self.mean {
            let mut term = self.ln_pmf(k).exp();
            let mut sum = 0.0;
            let mut x = k as f64;
            while term > 0.0 {
                sum += term;
                let ratio = self.ratio_up(x);
                term *= ratio;
                x += 1.0;
                if term < TAIL_EPS * sum && ratio < 1.0 {
                    break;
                }
            }
            sum.min(1.0)
        } else {
            let mut term = self.ln_pmf(k - 1).exp();
            let mut sum = 0.0;
            let mut x = (k - 1) as f64;
            loop {
                sum += term;
                if x == 0.0 || term < TAIL_EPS * sum {
                    break;
                }
                // P(X = x−1) = P(X = x) / ratio_up(x−1)
                term /= self.ratio_up(x - 1.0);
                x -= 1.0;
            }
            (1.0 - sum).clamp(0.0, 1.0)
        }
    }

    /// The upper `1 − alpha` quantile: the smallest `t` with
    /// `P(X ≤ t) ≥ 1 − alpha`, so that `observed > t` exactly when
    /// `P(X ≥ observed) ≤ alpha`.
    pub fn quantile_upper(&self, alpha: f64) -> u64 {
        // P(X ≥ t+1) ≤ alpha is monotone in t: bisect between the mean and a
        // bound far in the tail.
        let sd = (self.phi * self.mean).sqrt();
        let mut lo = 0u64;
        let mut hi = (self.mean + 20.0 * sd + 20.0).ceil() as u64;
        while self.upper_tail(hi + 1) > alpha {
            hi *= 2;
        }
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.upper_tail(mid + 1) <= alpha {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        lo
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn ln_gamma_known_values() {
        // Γ(1/2) = √π, Γ(10) = 9!, Γ(1) = Γ(2) = 1, Γ(0.1) = 9.513507698668732
        assert!(close(ln_gamma(0.5), 0.572_364_942_924_700_1, 1e-13));
        assert!(close(ln_gamma(10.0), 362_880f64.ln(), 1e-13));
        assert!(ln_gamma(1.0).abs() < 1e-14);
        assert!(ln_gamma(2.0).abs() < 1e-14);
        assert!(close(ln_gamma(0.1), 9.513_507_698_668_732f64.ln(), 1e-12));
        // ln Γ(101) = ln 100! = 363.73937555556347
        assert!(close(ln_gamma(101.0), 363.739_375_555_563_47, 1e-13));
    }

    #[test]
    fn poisson_tails_known_values() {
        let m = CountModel::new(3.0, 1.0);
        // P(X ≥ 8 | λ=3) = 1 − ppois(7, 3) = 0.011904503856...
        assert!(close(m.upper_tail(8), 0.011_904_503_856_357_33, 1e-10));
        // P(X ≥ 3 | λ=3) = 1 − ppois(2, 3) = 0.576809918873156
        assert!(close(m.upper_tail(3), 0.576_809_918_873_156, 1e-10));
        assert_eq!(m.upper_tail(0), 1.0);
        // P(X ≥ 1 | λ=0.5) = 1 − e^−0.5
        let small = CountModel::new(0.5, 1.0);
        assert!(close(small.upper_tail(1), 1.0 - (-0.5f64).exp(), 1e-12));
        // deep tail: P(X ≥ 20 | λ=2) = 6.4437e-14 (sum of dpois(20.., 2))
        let deep = CountModel::new(2.0, 1.0).upper_tail(20);
        assert!(close(deep, 6.443_731_393_112_094e-14, 1e-6), "{deep}");
        // qpois(0.99, 3) = 8, qpois(0.99, 10) = 18
        assert_eq!(m.quantile_upper(0.01), 8);
        assert_eq!(CountModel::new(10.0, 1.0).quantile_upper(0.01), 18);
    }

    #[test]
    fn negative_binomial_tails_known_values() {
        // mean 4, variance 8 (φ = 2): size r = 4, prob p = 0.5.
        let m = CountModel::new(4.0, 2.0);
        // P(X = 0) = 0.5^4
        assert!(close(m.ln_pmf(0).exp(), 0.0625, 1e-12));
        // 1 − pnbinom(9, size=4, prob=0.5) = 0.046142578125 (= 189/4096)
        assert!(
            close(m.upper_tail(10), 189.0 / 4096.0, 1e-10),
            "{}",
            m.upper_tail(10)
        );
        // 1 − pnbinom(2, 4, 0.5) = 1 − (1+2+2.5)/16 = 0.65625
        assert!(close(m.upper_tail(3), 0.65625, 1e-12));
        // qnbinom(0.99, 4, 0.5) = 13
        assert_eq!(m.quantile_upper(0.01), 13);
    }

    #[test]
    fn large_mean_does_not_underflow() {
        let m = CountModel::new(2_000.0, 1.5);
        let p = m.upper_tail(1_500);
        assert!(p > 0.999_999 && p <= 1.0, "{p}");
        let q = m.upper_tail(2_300);
        assert!(q > 0.0 && q < 1e-4, "{q}");
    }
}
