//! Scoring (SPEC §5.1–5.2) as plain functions over plain data: a rating's value, a review's
//! score, critical failures and pass/fail. No I/O, no git.

use crate::model::{Critical, RatingEntry, RatingValue, Rubric};
use std::collections::BTreeMap;

/// A rating `r` on a scale of `n` points is worth `(r - 1) / (n - 1)`: 0 for the lowest point,
/// 1 for the highest. Out-of-scale ratings are clamped (they are `rating-out-of-scale` errors).
pub fn rating_value(rating: i64, scale: u8) -> f64 {
    let n = f64::from(scale.max(2));
    let r = (rating as f64).clamp(1.0, n);
    (r - 1.0) / (n - 1.0)
}

/// The score of one review.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewScore {
    /// `None` when no non-bonus category with weight > 0 was rated with a number. Usually
    /// 0..=100; bonus categories can lift it over 100.
    pub score: Option<f64>,
    /// `score >= pass_mark`; `None` without a score or without a pass mark.
    pub pass: Option<bool>,
    /// A review-level critical category was rated in the lower half of its scale.
    pub critical_failure: bool,
    /// The groups failed by a `critical: group` category rated in the lower half of its
    /// scale, in rubric order (empty when the review-level failure wins).
    pub failed_groups: Vec<String>,
}

/// Scores a review's ratings against a rubric version (SPEC §5.2):
/// `100 · Σ weight·value / Σ weight` over the categories rated with a number; `na` takes no
/// part. A review-level critical category with a value below 0.5 makes the score 0; a
/// `critical: group` one makes every category of its group count as 0 (weights kept). A bonus
/// category adds `weight·value` to the numerator only. Ratings of categories the rubric does
/// not have are ignored.
///
/// Where Σ weight (non-bonus, rated with a number) is 0 there is no score, unless a review-level
/// critical category failed: that is always a score of 0.
pub fn score_review(rubric: &Rubric, ratings: &BTreeMap<String, RatingValue>) -> ReviewScore {
    let points = |c: &crate::model::Category| match ratings.get(c.id.as_str()) {
        Some(RatingValue::Points(r)) => Some(rating_value(*r, c.scale.0)),
        _ => None,
    };
    let mut critical_failure = false;
    let mut failed_groups: Vec<String> = Vec::new();
    for c in rubric.categories.iter() {
        if !points(c).is_some_and(|v| v < 0.5) {
            continue;
        }
        match (c.critical, &c.group) {
            (Critical::Review, _) => critical_failure = true,
            (Critical::Group, Some(g)) if !failed_groups.iter().any(|f| f == g.as_str()) => {
                failed_groups.push(g.to_string())
            }
            _ => {}
        }
    }
    let scale = weight_scale(rubric, &points);
    let (mut sum, mut weights) = (0.0, 0.0);
    for c in rubric.categories.iter() {
        let Some(mut value) = points(c) else { continue };
        if c.group
            .as_ref()
            .is_some_and(|g| failed_groups.iter().any(|f| f == g.as_str()))
        {
            value = 0.0;
        }
        let w = c.weight.0 / scale;
        sum += w * value;
        if !c.bonus {
            weights += w;
        }
    }
    let score = if critical_failure {
        Some(0.0)
    } else if weights > 0.0 {
        // Without a bonus category the score is at most 100, though rounding can pass it (a
        // weight of 1e-300 rated top scored 100.00000000000001: found by fuzzing); with one,
        // it is finite (bonus weights beyond all proportion could make it overflow).
        let bonus = rubric
            .categories
            .iter()
            .any(|c| c.bonus && points(c).is_some());
        Some((100.0 * sum / weights).min(if bonus { f64::MAX } else { 100.0 }))
    } else {
        None
    };
    if critical_failure {
        failed_groups.clear();
    }
    let pass = match (score, rubric.pass_mark) {
        (Some(s), Some(mark)) => Some(s >= mark.0),
        _ => None,
    };
    ReviewScore {
        score,
        pass,
        critical_failure,
        failed_groups,
    }
}

/// What weights are divided by before they are summed: the schema sets weights no maximum,
/// and sums of weights near f64::MAX overflowed to infinity, giving scores of ∞ or NaN (found
/// by fuzzing). Very large weights are scaled down by a power of two — 2 to the binary
/// exponent of the largest non-bonus weight rated with a number —, which is exact, so the
/// score is the same; ordinary weights are divided by 1.
fn weight_scale(rubric: &Rubric, points: &dyn Fn(&crate::model::Category) -> Option<f64>) -> f64 {
    let largest = rubric
        .categories
        .iter()
        .filter(|c| !c.bonus && points(c).is_some())
        .map(|c| c.weight.0)
        .fold(0.0, f64::max);
    if largest > 1e150 {
        // (`log2` rounds up to 1024 for f64::MAX, whose power of two is infinite.)
        let exponent = ((largest.to_bits() >> 52) & 0x7ff) as i32 - 1023;
        2f64.powi(exponent)
    } else {
        1.0
    }
}

/// The rating values of a review, by category id.
pub fn rating_values<'a, I>(ratings: I) -> BTreeMap<String, RatingValue>
where
    I: IntoIterator<Item = (&'a str, &'a RatingEntry)>,
{
    ratings
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.value()))
        .collect()
}

/// The mean of some scores, or `None` for none.
pub fn mean(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values
        .into_iter()
        .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// `after - before`, when both exist.
pub fn delta(before: Option<f64>, after: Option<f64>) -> Option<f64> {
    Some(after? - before?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NaMarker;

    fn rubric(yaml: &str) -> Rubric {
        let doc = crate::load::yaml::load_str("r.yaml", yaml).expect("loads");
        Rubric::deserialize_from(&doc.value)
    }

    trait FromValue {
        fn deserialize_from(v: &serde_json::Value) -> Self;
    }

    impl FromValue for Rubric {
        fn deserialize_from(v: &serde_json::Value) -> Self {
            serde::Deserialize::deserialize(v).expect("valid rubric")
        }
    }

    fn ratings(pairs: &[(&str, Option<i64>)]) -> BTreeMap<String, RatingValue> {
        pairs
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Some(p) => RatingValue::Points(*p),
                    None => RatingValue::Na(NaMarker::Na),
                };
                (k.to_string(), v)
            })
            .collect()
    }

    /// Weights near f64::MAX (the schema sets no maximum) give a number 0..=100, the same as
    /// the same weights scaled down would (found by fuzzing: the sums overflowed to ∞ and the
    /// score was ∞ or NaN).
    #[test]
    fn huge_weights_score_like_their_proportions() {
        let big = rubric(
            "id: r\nversion: 1\ntitle: R\ncategories:\n  - {id: a, title: A, scale: 5, weight: 1.7976931348623157e308}\n  - {id: b, title: B, scale: 5, weight: 1.7976931348623157e308}\n  - {id: c, title: C, scale: 5, weight: 1e-300}\n",
        );
        let small = rubric(
            "id: r\nversion: 1\ntitle: R\ncategories:\n  - {id: a, title: A, scale: 5, weight: 1}\n  - {id: b, title: B, scale: 5, weight: 1}\n  - {id: c, title: C, scale: 5, weight: 0}\n",
        );
        for r in [[5, 1, 3], [5, 5, 5], [2, 3, 1], [1, 1, 1]] {
            let rs = ratings(&[("a", Some(r[0])), ("b", Some(r[1])), ("c", Some(r[2]))]);
            let s = score_review(&big, &rs).score.expect("a score");
            assert!((0.0..=100.0).contains(&s), "{s}");
            assert_eq!(Some(s), score_review(&small, &rs).score, "{r:?}");
        }
    }

    /// Rounding never lifts a score without bonus categories over 100 (a single category of
    /// weight 1e-300 rated at the top scored 100.00000000000001; found by fuzzing).
    #[test]
    fn tiny_weights_never_score_over_100() {
        for w in ["1e-300", "3e-308", "0.1", "0.7", "1e300"] {
            let r = rubric(&format!(
                "id: r\nversion: 1\ntitle: R\ncategories:\n  - {{id: a, title: A, scale: 2, weight: {w}}}\n"
            ));
            let s = score_review(&r, &ratings(&[("a", Some(2))]));
            assert_eq!(s.score, Some(100.0), "weight {w}");
        }
    }

    const SUPPORT: &str = "\
id: support
version: 1
title: Support
pass_mark: 85
categories:
  - {id: solution, title: S, scale: 4, weight: 3}
  - {id: tone, title: T, scale: 5, weight: 2}
  - {id: grammar, title: G, scale: 3, na: true}
  - {id: security, title: D, scale: 2, critical: true}
  - {id: notes, title: N, scale: 2, weight: 0}
";

    #[test]
    fn values_span_zero_to_one() {
        assert_eq!(rating_value(1, 4), 0.0);
        assert_eq!(rating_value(4, 4), 1.0);
        assert!((rating_value(3, 4) - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(rating_value(3, 5), 0.5);
        assert_eq!(rating_value(2, 3), 0.5);
        assert_eq!(rating_value(2, 2), 1.0);
    }

    #[test]
    fn weighted_mean_by_hand() {
        let r = rubric(SUPPORT);
        // solution 3/4 → 2/3 ×3 = 2; tone 4/5 → 0.75 ×2 = 1.5; grammar 3/3 → 1 ×1 = 1;
        // security 2/2 → 1 ×1 = 1; notes weight 0. Σ = 5.5 over Σ weight 7 → 78.5714…
        let s = score_review(
            &r,
            &ratings(&[
                ("solution", Some(3)),
                ("tone", Some(4)),
                ("grammar", Some(3)),
                ("security", Some(2)),
                ("notes", Some(1)),
            ]),
        );
        assert!((s.score.unwrap() - 550.0 / 7.0).abs() < 1e-9);
        assert_eq!(s.pass, Some(false));
        assert!(!s.critical_failure);
    }

    #[test]
    fn na_leaves_the_sum_and_the_weights() {
        let r = rubric(SUPPORT);
        // grammar na: (2 + 1.5 + 1) / 6 = 75.
        let s = score_review(
            &r,
            &ratings(&[
                ("solution", Some(3)),
                ("tone", Some(4)),
                ("grammar", None),
                ("security", Some(2)),
                ("notes", Some(2)),
            ]),
        );
        assert_eq!(s.score, Some(75.0));
    }

    #[test]
    fn perfect_review_passes_and_boundary_is_inclusive() {
        let r = rubric(&SUPPORT.replace("pass_mark: 85", "pass_mark: 100"));
        let s = score_review(
            &r,
            &ratings(&[
                ("solution", Some(4)),
                ("tone", Some(5)),
                ("grammar", Some(3)),
                ("security", Some(2)),
                ("notes", Some(1)),
            ]),
        );
        assert_eq!(s.score, Some(100.0));
        assert_eq!(s.pass, Some(true));
    }

    #[test]
    fn critical_failure_zeroes_the_review() {
        let r = rubric(SUPPORT);
        let s = score_review(
            &r,
            &ratings(&[
                ("solution", Some(4)),
                ("tone", Some(5)),
                ("grammar", Some(3)),
                ("security", Some(1)),
                ("notes", Some(2)),
            ]),
        );
        assert_eq!(s.score, Some(0.0));
        assert_eq!(s.pass, Some(false));
        assert!(s.critical_failure);
    }

    #[test]
    fn lower_half_means_below_one_half() {
        // Scale 5: 1 and 2 fail (0, 0.25), 3 (0.5) does not. Scale 3: only 1 fails.
        let r = rubric(
            "id: c\nversion: 1\ntitle: C\ncategories:\n  - {id: a, title: A, scale: 5, critical: true}\n  - {id: b, title: B, scale: 3, critical: true}\n",
        );
        let score = |a, b| score_review(&r, &ratings(&[("a", Some(a)), ("b", Some(b))]));
        assert!(score(2, 3).critical_failure);
        assert!(!score(3, 3).critical_failure);
        assert!(score(5, 1).critical_failure);
        assert_eq!(score(3, 2).score, Some(50.0));
    }

    /// SPEC §5.2's worked example: group A (`a1` scale 4 weight 2 `critical: group`, `a2`
    /// scale 3 weight 1), group B (`b1` scale 5 weight 2), `x` bonus scale 2 weight 1. Ratings
    /// a1 2, a2 3, b1 5, x 2: group A fails (a1 is 1/3 < 0.5), so a1 and a2 count 0 with their
    /// weights; b1 is 1 × 2; x adds 1 to the numerator only: 100·(0 + 0 + 2 + 1)/5 = 60.
    const GROUPS: &str = "\
id: g
version: 1
title: G
pass_mark: 50
groups:
  - {id: a, title: A}
  - {id: b, title: B}
categories:
  - {id: a1, title: A1, group: a, scale: 4, weight: 2, critical: group}
  - {id: a2, title: A2, group: a, scale: 3, weight: 1, na: true}
  - {id: b1, title: B1, group: b, scale: 5, weight: 2}
  - {id: x, title: X, scale: 2, weight: 1, bonus: true, na: true}
";

    #[test]
    fn spec_worked_example_group_failure_and_bonus() {
        let r = rubric(GROUPS);
        let s = score_review(
            &r,
            &ratings(&[
                ("a1", Some(2)),
                ("a2", Some(3)),
                ("b1", Some(5)),
                ("x", Some(2)),
            ]),
        );
        assert_eq!(s.score, Some(60.0));
        assert_eq!(s.failed_groups, vec!["a".to_string()]);
        assert!(!s.critical_failure);
        assert_eq!(s.pass, Some(true));
    }

    #[test]
    fn group_critical_at_exactly_one_half_does_not_fail() {
        // a1 on a scale of 3, rated 2: value exactly 0.5, not below.
        let r = rubric(&GROUPS.replace("group: a, scale: 4", "group: a, scale: 3"));
        let s = score_review(
            &r,
            &ratings(&[
                ("a1", Some(2)),
                ("a2", Some(3)),
                ("b1", Some(5)),
                ("x", Some(2)),
            ]),
        );
        assert!(s.failed_groups.is_empty());
        // a1 0.5×2 = 1, a2 1×1 = 1, b1 1×2 = 2, x 1: 100·5/5.
        assert_eq!(s.score, Some(100.0));
        // Review-level critical at exactly 0.5 does not fail either.
        let r = rubric(&GROUPS.replace(
            "scale: 4, weight: 2, critical: group",
            "scale: 3, weight: 2, critical: true",
        ));
        let s = score_review(
            &r,
            &ratings(&[
                ("a1", Some(2)),
                ("a2", Some(1)),
                ("b1", Some(1)),
                ("x", Some(1)),
            ]),
        );
        assert!(!s.critical_failure);
        // a1 0.5×2 = 1 over Σ weight 5.
        assert_eq!(s.score, Some(20.0));
    }

    #[test]
    fn a_group_rated_only_na_neither_fails_nor_counts() {
        let r = rubric(&GROUPS.replace(
            "a1, title: A1, group: a, scale: 4, weight: 2, critical: group",
            "a1, title: A1, group: a, scale: 4, weight: 2, critical: group, na: true",
        ));
        // Group A all na: Σ weight is b1's 2; b1 4/5 = 0.75 ×2 = 1.5; x 2/2 adds 1: 125.
        let s = score_review(
            &r,
            &ratings(&[("a1", None), ("a2", None), ("b1", Some(4)), ("x", Some(2))]),
        );
        assert!(s.failed_groups.is_empty());
        assert_eq!(s.score, Some(125.0));
    }

    #[test]
    fn a_bonus_rated_na_adds_nothing_and_alone_is_no_score() {
        let r = rubric(GROUPS);
        // a1 4/4 ×2 = 2, a2 3/3 ×1 = 1, b1 3/5 = 0.5 ×2 = 1: 100·4/5 = 80; x na adds nothing.
        let s = score_review(
            &r,
            &ratings(&[
                ("a1", Some(4)),
                ("a2", Some(3)),
                ("b1", Some(3)),
                ("x", None),
            ]),
        );
        assert_eq!(s.score, Some(80.0));
        // The same with x 1 of 2: value 0, still 80 (a bonus never lowers a score).
        let s = score_review(
            &r,
            &ratings(&[
                ("a1", Some(4)),
                ("a2", Some(3)),
                ("b1", Some(3)),
                ("x", Some(1)),
            ]),
        );
        assert_eq!(s.score, Some(80.0));
        // Only the bonus rated: Σ weight is 0, so no score.
        let only = rubric(
            "id: c\nversion: 1\ntitle: C\ncategories:\n  - {id: a, title: A, scale: 4, na: true}\n  - {id: x, title: X, scale: 2, bonus: true}\n",
        );
        let s = score_review(&only, &ratings(&[("a", None), ("x", Some(2))]));
        assert_eq!(s.score, None);
    }

    #[test]
    fn a_review_level_failure_wins_over_a_group_failure() {
        let r = rubric(&GROUPS.replace(
            "{id: b1, title: B1, group: b, scale: 5, weight: 2}",
            "{id: b1, title: B1, group: b, scale: 5, weight: 2, critical: true}",
        ));
        let s = score_review(
            &r,
            &ratings(&[
                ("a1", Some(1)),
                ("a2", Some(3)),
                ("b1", Some(2)),
                ("x", Some(2)),
            ]),
        );
        assert_eq!(s.score, Some(0.0));
        assert!(s.critical_failure);
        assert!(s.failed_groups.is_empty());
    }

    #[test]
    fn all_na_has_no_score_and_no_pass() {
        let r = rubric(
            "id: c\nversion: 1\ntitle: C\npass_mark: 80\ncategories:\n  - {id: a, title: A, scale: 5, na: true}\n",
        );
        let s = score_review(&r, &ratings(&[("a", None)]));
        assert_eq!(s.score, None);
        assert_eq!(s.pass, None);
    }

    #[test]
    fn only_weight_zero_rated_has_no_score() {
        let r = rubric(
            "id: c\nversion: 1\ntitle: C\ncategories:\n  - {id: a, title: A, scale: 5, weight: 0}\n  - {id: b, title: B, scale: 2, na: true}\n",
        );
        let s = score_review(&r, &ratings(&[("a", Some(5)), ("b", None)]));
        assert_eq!(s.score, None);
    }

    #[test]
    fn no_pass_mark_means_pass_is_null() {
        let r = rubric(&SUPPORT.replace("pass_mark: 85\n", ""));
        let s = score_review(
            &r,
            &ratings(&[
                ("solution", Some(4)),
                ("tone", Some(5)),
                ("grammar", Some(3)),
                ("security", Some(2)),
                ("notes", Some(1)),
            ]),
        );
        assert_eq!(s.pass, None);
    }

    /// Zendesk QA's published scale table ("Understanding Zendesk QA Reviews dashboard
    /// calculations"): category score = (selected - min) / (max - min) · 100.
    #[test]
    fn zendesk_qa_scale_table() {
        let table: [(u8, &[f64]); 4] = [
            (2, &[0.0, 100.0]),
            (3, &[0.0, 50.0, 100.0]),
            (4, &[0.0, 100.0 / 3.0, 200.0 / 3.0, 100.0]),
            (5, &[0.0, 25.0, 50.0, 75.0, 100.0]),
        ];
        for (scale, expected) in table {
            for (i, want) in expected.iter().enumerate() {
                let got = 100.0 * rating_value(i as i64 + 1, scale);
                assert!((got - want).abs() < 1e-9, "scale {scale} rating {}", i + 1);
            }
        }
    }

    /// Zendesk QA's published IQS example: the mean of review scores 100, 9.91, 63.96, 90.99
    /// and 0 is 52.97.
    #[test]
    fn zendesk_qa_iqs_example() {
        let iqs = mean([100.0, 9.91, 63.96, 90.99, 0.0]).unwrap();
        assert_eq!((iqs * 100.0).round() / 100.0, 52.97);
    }

    #[test]
    fn means() {
        assert_eq!(mean([]), None);
        assert_eq!(mean([100.0, 50.0, 0.0]), Some(50.0));
    }
}
