//! Calibration (SPEC §5.4) as plain functions: Krippendorff's alpha (interval, ordinal,
//! nominal) over conversations (units) and reviewers (coders) with missing values, and each
//! reviewer's mean absolute deviation from the session's consensus (the median).

use std::collections::{BTreeMap, BTreeSet};

pub use crate::report::calibration::{
    CalibrationReport, CategoryAgreement, Deviation, Session, Undefined,
};

/// The distance metric of an alpha.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    Nominal,
    Ordinal,
    Interval,
}

/// Alphas closer to 0 than this are 0 (floating-point residue such as 2.2e-16).
const TINY: f64 = 1e-9;

/// Can a unit's values be paired (SPEC §5.4)? Only a conversation with at least two numeric
/// ratings of a category takes part in its alpha; its ratings are the category's pairable ones.
pub fn is_pairable(unit: &[f64]) -> bool {
    unit.len() >= 2
}

/// How many of `units`' values can be paired: the ratings alpha is computed from.
pub fn pairable(units: &[Vec<f64>]) -> usize {
    units.iter().filter(|u| is_pairable(u)).map(Vec::len).sum()
}

/// Krippendorff's alpha for `units`, each the values its coders gave (missing values simply
/// absent). Units with fewer than two values cannot be paired and are left out. `None` where
/// alpha is undefined (no pairable values, or no variation at all).
pub fn alpha(units: &[Vec<f64>], metric: Metric) -> Option<f64> {
    alpha_or_why(units, metric).ok()
}

/// [`alpha`], with the reason where it is undefined. Values within 1e-9 of 0 are 0.
pub fn alpha_or_why(units: &[Vec<f64>], metric: Metric) -> Result<f64, Undefined> {
    // The coincidence matrix over the distinct values.
    let values: Vec<f64> = {
        let mut v: Vec<f64> = units
            .iter()
            .filter(|u| is_pairable(u))
            .flatten()
            .copied()
            .collect();
        v.sort_by(f64::total_cmp);
        v.dedup();
        v
    };
    if values.is_empty() {
        return Err(Undefined::TooFewRatings);
    }
    let index = |x: f64| values.iter().position(|v| *v == x).unwrap_or(0);
    let k = values.len();
    let mut o = vec![vec![0.0; k]; k];
    for u in units.iter().filter(|u| is_pairable(u)) {
        let m = u.len() as f64;
        for (i, a) in u.iter().enumerate() {
            for (j, b) in u.iter().enumerate() {
                if i != j {
                    o[index(*a)][index(*b)] += 1.0 / (m - 1.0);
                }
            }
        }
    }
    let n_c: Vec<f64> = o.iter().map(|row| row.iter().sum()).collect();
    let n: f64 = n_c.iter().sum();
    if n <= 1.0 {
        return Err(Undefined::TooFewRatings);
    }
    let delta2 = |c: usize, d: usize| -> f64 {
        match metric {
            Metric::Nominal => {
                if c == d {
                    0.0
                } else {
                    1.0
                }
            }
            Metric::Interval => (values[c] - values[d]).powi(2),
            Metric::Ordinal => {
                let (lo, hi) = if c <= d { (c, d) } else { (d, c) };
                let between: f64 = n_c[lo..=hi].iter().sum();
                (between - (n_c[c] + n_c[d]) / 2.0).powi(2)
            }
        }
    };
    let mut d_o = 0.0;
    let mut d_e = 0.0;
    for c in 0..k {
        for d in 0..k {
            let dd = delta2(c, d);
            d_o += o[c][d] * dd;
            d_e += n_c[c] * n_c[d] * dd;
        }
    }
    d_o /= n;
    d_e /= n * (n - 1.0);
    if d_e == 0.0 {
        return Err(Undefined::NoVariation);
    }
    let a = 1.0 - d_o / d_e;
    Ok(if a.abs() < TINY { 0.0 } else { a })
}

/// The consensus of a conversation's ratings of a category: their median (the mean of the two
/// middle values for an even count); none without numeric ratings.
pub fn consensus(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[m - 1] + v[m]) / 2.0
    } else {
        v[m]
    })
}

/// One calibration rating: in `session`, `reviewer` rated `category` of `conversation` with
/// `value` (the rating's value 0..1; `None` for `na`).
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationRating {
    pub session: String,
    pub conversation: String,
    pub reviewer: String,
    pub category: String,
    /// The rating as given (1..scale), for the ordinal and nominal alphas.
    pub rating: Option<i64>,
    /// The rating's value 0..1 (SPEC §5.1), for the interval alpha and deviations.
    pub value: Option<f64>,
}

/// Agreement per session and category, and each reviewer's deviation from the consensus.
pub fn calibrate(ratings: &[CalibrationRating]) -> CalibrationReport {
    let mut sessions: BTreeMap<&str, Vec<&CalibrationRating>> = BTreeMap::new();
    for r in ratings {
        sessions.entry(&r.session).or_default().push(r);
    }
    let sessions = sessions
        .into_iter()
        .map(|(session, rs)| Session {
            session: session.to_string(),
            conversations: rs
                .iter()
                .map(|r| r.conversation.as_str())
                .collect::<BTreeSet<_>>()
                .len(),
            reviewers: rs
                .iter()
                .map(|r| r.reviewer.as_str())
                .collect::<BTreeSet<_>>()
                .len(),
            categories: agreement(&rs),
            deviations: deviations(&rs),
        })
        .collect();
    CalibrationReport {
        sessions,
        left_out: Vec::new(),
    }
}

/// One session's agreement per category: the alphas over its conversations.
fn agreement(rs: &[&CalibrationRating]) -> Vec<CategoryAgreement> {
    let mut by_cat: BTreeMap<&str, Vec<&CalibrationRating>> = BTreeMap::new();
    for r in rs {
        by_cat.entry(&r.category).or_default().push(r);
    }
    by_cat
        .iter()
        .map(|(cat, rs)| {
            // Per conversation: the values (interval) and the ratings as given.
            let mut units: BTreeMap<&str, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
            for r in rs {
                if let (Some(rating), Some(value)) = (r.rating, r.value) {
                    let u = units.entry(&r.conversation).or_default();
                    u.0.push(value);
                    u.1.push(rating as f64);
                }
            }
            let values: Vec<Vec<f64>> = units.values().map(|u| u.0.clone()).collect();
            let points: Vec<Vec<f64>> = units.values().map(|u| u.1.clone()).collect();
            let interval = alpha_or_why(&values, Metric::Interval);
            CategoryAgreement {
                category: cat.to_string(),
                alpha: interval.ok(),
                alpha_ordinal: alpha(&points, Metric::Ordinal),
                alpha_nominal: alpha(&points, Metric::Nominal),
                ratings: values.iter().map(Vec::len).sum(),
                pairable: pairable(&values),
                undefined: interval.err(),
            }
        })
        .collect()
}

/// One session's reviewers (in id order), each with the mean distance from the consensus: the
/// median value per conversation and category.
fn deviations(rs: &[&CalibrationRating]) -> Vec<Deviation> {
    let mut groups: BTreeMap<(&str, &str), Vec<f64>> = BTreeMap::new();
    for r in rs {
        if let Some(v) = r.value {
            groups
                .entry((&r.conversation, &r.category))
                .or_default()
                .push(v);
        }
    }
    let medians: BTreeMap<(&str, &str), f64> = groups
        .into_iter()
        .filter_map(|(k, mut v)| consensus(&mut v).map(|m| (k, m)))
        .collect();
    let reviewers: BTreeSet<&str> = rs.iter().map(|r| r.reviewer.as_str()).collect();
    reviewers
        .iter()
        .map(|who| {
            let devs: Vec<f64> = rs
                .iter()
                .filter(|r| r.reviewer == *who)
                .filter_map(|r| {
                    let m = medians.get(&(r.conversation.as_str(), r.category.as_str()))?;
                    Some(100.0 * (r.value? - m).abs())
                })
                .collect();
            Deviation {
                reviewer: who.to_string(),
                mean_abs_deviation: crate::analysis::score::mean(devs),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 coders, 12 units,
    /// values 1..5 with missing data; α nominal 0.743, ordinal 0.815, interval 0.849.
    fn example() -> Vec<Vec<f64>> {
        let rows: [[Option<u8>; 12]; 4] = [
            [
                Some(1),
                Some(2),
                Some(3),
                Some(3),
                Some(2),
                Some(1),
                Some(4),
                Some(1),
                Some(2),
                None,
                None,
                None,
            ],
            [
                Some(1),
                Some(2),
                Some(3),
                Some(3),
                Some(2),
                Some(2),
                Some(4),
                Some(1),
                Some(2),
                Some(5),
                None,
                Some(3),
            ],
            [
                None,
                Some(3),
                Some(3),
                Some(3),
                Some(2),
                Some(3),
                Some(4),
                Some(2),
                Some(2),
                Some(5),
                Some(1),
                None,
            ],
            [
                Some(1),
                Some(2),
                Some(3),
                Some(3),
                Some(2),
                Some(4),
                Some(4),
                Some(1),
                Some(2),
                Some(5),
                Some(1),
                None,
            ],
        ];
        (0..12)
            .map(|u| rows.iter().filter_map(|r| r[u]).map(f64::from).collect())
            .collect()
    }

    fn round3(x: Option<f64>) -> f64 {
        (x.unwrap() * 1000.0).round() / 1000.0
    }

    #[test]
    fn krippendorff_published_example() {
        assert_eq!(round3(alpha(&example(), Metric::Nominal)), 0.743);
        assert_eq!(round3(alpha(&example(), Metric::Ordinal)), 0.815);
        assert_eq!(round3(alpha(&example(), Metric::Interval)), 0.849);
    }

    #[test]
    fn perfect_agreement_and_undefined_cases() {
        assert_eq!(
            alpha(&[vec![1.0, 1.0], vec![2.0, 2.0]], Metric::Interval),
            Some(1.0)
        );
        // No variation at all: undefined.
        assert_eq!(
            alpha(&[vec![2.0, 2.0], vec![2.0, 2.0]], Metric::Interval),
            None
        );
        // Nothing pairable.
        assert_eq!(alpha(&[vec![1.0], vec![2.0]], Metric::Nominal), None);
    }

    #[test]
    fn deviations_from_the_median() {
        let r = |conv: &str, who: &str, v: f64| CalibrationRating {
            session: "s".into(),
            conversation: conv.into(),
            reviewer: who.into(),
            category: "tone".into(),
            rating: Some((v * 4.0) as i64 + 1),
            value: Some(v),
        };
        // Conversation 1: 0.5, 0.75, 1.0 (median 0.75); conversation 2: 0.25, 0.25, 0.75 (0.25).
        let report = calibrate(&[
            r("1", "ann", 0.5),
            r("1", "ben", 0.75),
            r("1", "cat", 1.0),
            r("2", "ann", 0.25),
            r("2", "ben", 0.25),
            r("2", "cat", 0.75),
        ]);
        let s = &report.sessions[0];
        assert_eq!((s.conversations, s.reviewers), (2, 3));
        let dev: Vec<(&str, f64)> = s
            .deviations
            .iter()
            .map(|d| (d.reviewer.as_str(), d.mean_abs_deviation.unwrap()))
            .collect();
        assert_eq!(dev, vec![("ann", 12.5), ("ben", 0.0), ("cat", 37.5)]);
        assert_eq!(s.categories[0].ratings, 6);
    }
}
