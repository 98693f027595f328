//! The trend chart's geometry: where each month, point, value label, gap and rubric-version
//! mark goes on an agent's IQS chart. Computed here, as plain data, so that labels are placed
//! where they overlap no marker, mark and other label (tested by their coordinates), and the
//! template only draws what it is given.

use crate::report::chart::{Label, Month, Point, Rect, Tick, TrendChart, VersionMark};
use crate::report::TrendPoint;

/// The chart's coordinate system (the SVG `viewBox`): it scales to its box, so these are not
/// pixels.
pub const WIDTH: f64 = 480.0;
pub const HEIGHT: f64 = 290.0;
/// The plot area: left, top, right, bottom.
const X0: f64 = 40.0;
const Y0: f64 = 62.0;
const X1: f64 = 470.0;
const Y1: f64 = 222.0;
/// Space between the plot's edges and the first and last month: room for half a month's
/// name, so that each name is centred under its own month.
const PAD: f64 = 30.0;
/// Font sizes of the labels (in viewBox units).
const VALUE_SIZE: f64 = 15.0;
const AXIS_SIZE: f64 = 14.0;
const MARK_SIZE: f64 = 14.0;
/// The radius of a point's marker.
pub const MARKER_RADIUS: f64 = 5.0;

fn label(x: f64, y: f64, text: String, anchor: &'static str, size: f64) -> Label {
    let w = text_width(&text, size);
    let left = match anchor {
        "start" => x,
        "end" => x - w,
        _ => x - w / 2.0,
    };
    // From the ascender to the descender of the font.
    let bbox = Rect {
        x: round(left),
        y: round(y - 0.8 * size),
        w: round(w),
        h: round(size * 1.05),
    };
    Label {
        x: round(x),
        y: round(y),
        text,
        anchor,
        size,
        bbox,
    }
}

/// A generous estimate of a text's width: wider than any system sans-serif font draws it, so
/// that boxes that do not overlap here do not overlap on screen.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| match c {
            ' ' | '.' | ',' | ':' | 'i' | 'l' | 'I' | 'j' | 't' | 'f' | 'r' => 0.36,
            'm' | 'w' | 'M' | 'W' | '@' => 0.95,
            c if c.is_ascii() => 0.64,
            _ => 1.05,
        })
        .sum::<f64>()
        * size
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// `(year, month)` of a `2026-11` period.
fn year_month(period: &str) -> Option<(i32, u32)> {
    let (y, m) = period.split_once('-')?;
    let (y, m) = (y.parse().ok()?, m.parse().ok()?);
    (1..=12).contains(&m).then_some((y, m))
}

fn months_between(first: (i32, u32), last: (i32, u32)) -> Vec<(i32, u32)> {
    let mut out = Vec::new();
    let (mut y, mut m) = first;
    while (y, m) <= last && out.len() < 1200 {
        out.push((y, m));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

/// `Nov 2026`.
fn month_name((y, m): (i32, u32)) -> String {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!("{} {y}", NAMES[(m as usize - 1) % 12])
}

/// Lays out the IQS trend of `points` (months with a score, oldest first) on a time axis from
/// the first point's month to `until` (the site's current period; a later gap shows too), on a
/// 0–100 axis (higher when a bonus takes a month over 100).
pub fn trend_chart(points: &[TrendPoint], until: Option<&str>) -> TrendChart {
    let plot = Rect {
        x: X0,
        y: Y0,
        w: X1 - X0,
        h: Y1 - Y0,
    };
    let dated: Vec<((i32, u32), &TrendPoint)> = points
        .iter()
        .filter_map(|p| Some((year_month(&p.period)?, p)))
        .collect();
    let first = dated.first().map(|(k, _)| *k);
    let last = dated
        .last()
        .map(|(k, _)| *k)
        .max(until.and_then(year_month));
    let axis = match (first, last) {
        (Some(f), Some(l)) => months_between(f, l),
        _ => Vec::new(),
    };
    let n = axis.len();
    let x_of = |i: usize| {
        round(if n <= 1 {
            (X0 + X1) / 2.0
        } else {
            X0 + PAD + (X1 - X0 - 2.0 * PAD) * i as f64 / (n - 1) as f64
        })
    };
    let top = points.iter().map(|p| p.iqs).fold(100.0_f64, f64::max);
    let hi = (top / 20.0).ceil() * 20.0;
    let y_of = |v: f64| round(Y1 - (Y1 - Y0) * v.clamp(0.0, hi) / hi);

    // Fixed texts first: they are obstacles for everything placed after them.
    let mut ticks = Vec::new();
    let mut g = 0.0;
    while g <= hi + 1e-9 {
        let y = y_of(g);
        ticks.push(Tick {
            y,
            label: label(X0 - 6.0, y + 4.0, format!("{g:.0}"), "end", AXIS_SIZE),
        });
        g += 20.0;
    }
    let titles = vec![
        label(X0 - 6.0, Y0 - 14.0, "IQS".to_string(), "end", AXIS_SIZE),
        label(X0 - 6.0, Y1 + 40.0, "n".to_string(), "end", AXIS_SIZE),
    ];
    let mut placed: Vec<Rect> = ticks
        .iter()
        .map(|t| t.label.bbox)
        .chain(titles.iter().map(|t| t.bbox))
        .collect();
    let frame = Rect {
        x: 0.0,
        y: 0.0,
        w: WIDTH,
        h: HEIGHT,
    };
    let fits =
        |b: &Rect, placed: &[Rect]| b.inside(&frame) && !placed.iter().any(|p| p.overlaps(b));

    // Points and their markers.
    let by_month: std::collections::HashMap<(i32, u32), &TrendPoint> =
        dated.iter().map(|(k, p)| (*k, *p)).collect();
    let mut months = Vec::new();
    let mut pts: Vec<Point> = Vec::new();
    let mut path = String::new();
    let mut joined = false;
    for (i, k) in axis.iter().enumerate() {
        let x = x_of(i);
        let p = by_month.get(k);
        months.push(Month {
            period: format!("{:04}-{:02}", k.0, k.1),
            x,
            empty: p.is_none(),
            label: None,
        });
        let Some(p) = p else {
            joined = false;
            continue;
        };
        let y = y_of(p.iqs);
        path.push_str(&format!("{}{x} {y} ", if joined { "L" } else { "M" }));
        joined = true;
        let r = MARKER_RADIUS + 1.0;
        pts.push(Point {
            period: p.period.clone(),
            iqs: p.iqs,
            reviews: p.reviews,
            x,
            y,
            marker: Rect {
                x: round(x - r),
                y: round(y - r),
                w: 2.0 * r,
                h: 2.0 * r,
            },
            label: None,
            count: None,
        });
    }
    placed.extend(pts.iter().map(|p| p.marker));

    // Rubric versions: a dashed line through the month, its name in one of two rows above.
    let mut versions = Vec::new();
    for pt in &pts {
        let new_versions = year_month(&pt.period)
            .and_then(|k| by_month.get(&k))
            .map_or(&[][..], |p| p.new_versions.as_slice());
        if new_versions.is_empty() {
            continue;
        }
        let text = format!("◆ {}", new_versions.join(", "));
        let anchor = |x: f64| {
            if x < X0 + 60.0 {
                "start"
            } else if x > X1 - 60.0 {
                "end"
            } else {
                "middle"
            }
        };
        let label = [Y0 - 34.0, Y0 - 16.0].iter().find_map(|y| {
            let l = label(pt.x, *y, text.clone(), anchor(pt.x), MARK_SIZE);
            fits(&l.bbox, &placed).then_some(l)
        });
        let y_top = label
            .as_ref()
            .map_or(Y0 - 8.0, |l| l.bbox.y + l.bbox.h + 1.0);
        if let Some(l) = &label {
            placed.push(l.bbox);
        }
        // The line is an obstacle too: no value label is written across it.
        placed.push(Rect {
            x: pt.x - 2.0,
            y: y_top,
            w: 4.0,
            h: Y1 - y_top,
        });
        versions.push(VersionMark {
            x: pt.x,
            y_top: round(y_top),
            y_bottom: Y1,
            label,
        });
    }

    // Month names under the axis, centred on their month: every k-th month counted back from
    // the newest (so that the current period is always named), k the least that leaves room
    // between the names.
    let widest = axis
        .iter()
        .map(|k| text_width(&month_name(*k), AXIS_SIZE))
        .fold(0.0, f64::max);
    let every = match n {
        0 | 1 => 1,
        _ => {
            let dx = (X1 - X0 - 2.0 * PAD) / (n - 1) as f64;
            ((widest + 12.0) / dx).ceil().max(1.0) as usize
        }
    };
    for i in (0..n).rev().step_by(every) {
        let l = label(x_of(i), Y1 + 20.0, month_name(axis[i]), "middle", AXIS_SIZE);
        if fits(&l.bbox, &placed) {
            placed.push(l.bbox);
            months[i].label = Some(l);
        }
    }

    // Review counts on their own row, then value labels: above the marker, below, right, left.
    for p in &mut pts {
        let l = label(p.x, Y1 + 40.0, p.reviews.to_string(), "middle", AXIS_SIZE);
        if fits(&l.bbox, &placed) {
            placed.push(l.bbox);
            p.count = Some(l);
        }
    }
    let value_area = Rect {
        x: 0.0,
        y: Y0 - 20.0,
        w: WIDTH,
        h: Y1 - Y0 + 20.0,
    };
    for p in &mut pts {
        let text = format!("{:.1}", p.iqs);
        let d = MARKER_RADIUS + 4.0;
        let candidates = [
            label(p.x, p.y - d, text.clone(), "middle", VALUE_SIZE),
            label(
                p.x,
                p.y + d + VALUE_SIZE * 0.8,
                text.clone(),
                "middle",
                VALUE_SIZE,
            ),
            label(p.x + d, p.y + 4.5, text.clone(), "start", VALUE_SIZE),
            label(p.x - d, p.y + 4.5, text.clone(), "end", VALUE_SIZE),
        ];
        if let Some(l) = candidates
            .into_iter()
            .find(|l| l.bbox.inside(&value_area) && fits(&l.bbox, &placed))
        {
            placed.push(l.bbox);
            p.label = Some(l);
        }
    }

    TrendChart {
        width: WIDTH,
        height: HEIGHT,
        plot,
        ticks,
        months,
        path: path.trim_end().to_string(),
        points: pts,
        versions,
        titles,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn point(period: &str, iqs: f64, reviews: usize, versions: &[&str]) -> TrendPoint {
        TrendPoint {
            period: period.to_string(),
            iqs,
            reviews,
            new_versions: versions.iter().map(|v| v.to_string()).collect(),
        }
    }

    /// No two labels overlap, and no label covers a marker or a version line.
    fn assert_clear(c: &TrendChart) {
        let labels = c.labels();
        for (i, a) in labels.iter().enumerate() {
            for b in &labels[i + 1..] {
                assert!(
                    !a.bbox.overlaps(&b.bbox),
                    "`{}` {:?} overlaps `{}` {:?}",
                    a.text,
                    a.bbox,
                    b.text,
                    b.bbox
                );
            }
            for p in &c.points {
                assert!(
                    !a.bbox.overlaps(&p.marker),
                    "`{}` covers {}",
                    a.text,
                    p.period
                );
            }
            for v in &c.versions {
                let line = Rect {
                    x: v.x - 1.0,
                    y: v.y_top,
                    w: 2.0,
                    h: v.y_bottom - v.y_top,
                };
                assert!(
                    !a.bbox.overlaps(&line),
                    "`{}` crosses a version line",
                    a.text
                );
            }
            assert!(
                a.bbox.x >= 0.0 && a.bbox.x + a.bbox.w <= WIDTH,
                "`{}` outside",
                a.text
            );
        }
    }

    #[test]
    fn the_axis_is_0_to_100_and_months_are_evenly_spaced_in_time() {
        let c = trend_chart(
            &[
                point("2026-08", 83.0, 2, &[]),
                point("2026-11", 84.0, 3, &[]),
            ],
            Some("2026-11"),
        );
        let ticks: Vec<&str> = c.ticks.iter().map(|t| t.label.text.as_str()).collect();
        assert_eq!(ticks, ["0", "20", "40", "60", "80", "100"]);
        // 0 at the bottom of the plot, 100 at its top.
        assert_eq!(c.ticks[0].y, Y1);
        assert_eq!(c.ticks[5].y, Y0);
        // August, September, October, November: four months, two of them empty.
        let months: Vec<(&str, bool)> = c
            .months
            .iter()
            .map(|m| (m.period.as_str(), m.empty))
            .collect();
        assert_eq!(
            months,
            [
                ("2026-08", false),
                ("2026-09", true),
                ("2026-10", true),
                ("2026-11", false)
            ]
        );
        assert_eq!(c.months[0].x, X0 + PAD);
        assert_eq!(c.months[3].x, X1 - PAD);
        let step = (X1 - X0 - 2.0 * PAD) / 3.0;
        assert_eq!(c.months[1].x, round(X0 + PAD + step));
        // The gap breaks the line: two runs, not one line across the empty months.
        assert_eq!(c.path.matches('M').count(), 2);
        assert!(!c.path.contains('L'));
        // 83 and 84 sit close together near the top of a 0-100 axis, not at its ends.
        assert_eq!(c.points[0].y, round(Y1 - (Y1 - Y0) * 0.83));
        assert_clear(&c);
    }

    #[test]
    fn a_month_after_the_last_review_is_on_the_axis() {
        let c = trend_chart(&[point("2026-09", 70.0, 1, &[])], Some("2026-11"));
        assert_eq!(c.months.len(), 3);
        assert!(c.months[2].empty);
        let named: Vec<&str> = c
            .months
            .iter()
            .filter_map(|m| Some(m.label.as_ref()?.text.as_str()))
            .collect();
        assert_eq!(named, ["Sep 2026", "Oct 2026", "Nov 2026"]);
    }

    #[test]
    fn a_bonus_over_100_raises_the_axis() {
        let c = trend_chart(&[point("2026-11", 104.0, 1, &[])], None);
        assert_eq!(c.ticks.last().map(|t| t.label.text.as_str()), Some("120"));
    }

    #[test]
    fn a_value_label_moves_off_the_version_line() {
        let c = trend_chart(
            &[
                point("2026-09", 80.0, 2, &[]),
                point("2026-10", 82.0, 2, &["support@2"]),
                point("2026-11", 81.0, 2, &[]),
            ],
            Some("2026-11"),
        );
        assert_eq!(c.versions.len(), 1);
        let v = &c.versions[0];
        assert_eq!(v.x, c.points[1].x);
        assert_eq!(
            v.label.as_ref().map(|l| l.text.as_str()),
            Some("◆ support@2")
        );
        // Above the marker is where the line runs: the label goes beside it.
        let l = c.points[1].label.as_ref().expect("a label");
        assert_ne!(l.anchor, "middle");
        assert_eq!(l.text, "82.0");
        assert_clear(&c);
    }

    #[test]
    fn dense_and_jumpy_histories_never_overlap() {
        // Three years of months, values jumping between close and far, versions often.
        let mut points = Vec::new();
        for i in 0..36 {
            let (y, m) = (2024 + i / 12, i % 12 + 1);
            if i % 7 == 3 {
                continue;
            }
            let v = [81.0, 82.5, 79.0, 100.0, 0.0, 55.5, 56.0][i % 7];
            let versions: &[&str] = if i % 5 == 0 {
                &["support@9", "sales@10"]
            } else {
                &[]
            };
            points.push(point(&format!("{y:04}-{m:02}"), v, i + 1, versions));
        }
        let c = trend_chart(&points, Some("2026-12"));
        assert_eq!(c.months.len(), 36);
        assert_clear(&c);
        // Labels are dropped where there is no room, never drawn on top of each other; the
        // newest month is always named.
        assert!(c.months.last().and_then(|m| m.label.as_ref()).is_some());
        assert!(c.points.iter().any(|p| p.label.is_some()));
        // Each month's name is centred on its own month, and the named months are evenly
        // spaced, counted back from the newest.
        let named: Vec<usize> = (0..c.months.len())
            .filter(|i| c.months[*i].label.is_some())
            .collect();
        for i in &named {
            let l = c.months[*i].label.as_ref().unwrap();
            assert_eq!((l.x, l.anchor), (c.months[*i].x, "middle"));
        }
        let gaps: BTreeSet<usize> = named.windows(2).map(|w| w[1] - w[0]).collect();
        assert_eq!(gaps.len(), 1, "{named:?}");
        assert!(named.len() >= 4, "{named:?}");
    }

    #[test]
    fn one_point_sits_in_the_middle() {
        let c = trend_chart(&[point("2026-11", 50.0, 1, &[])], Some("2026-11"));
        assert_eq!(c.points[0].x, (X0 + X1) / 2.0);
        assert_eq!(c.points[0].y, round(Y1 - (Y1 - Y0) * 0.5));
        assert_eq!(
            c.points[0].label.as_ref().map(|l| l.text.as_str()),
            Some("50.0")
        );
        assert_eq!(
            c.points[0].count.as_ref().map(|l| l.text.as_str()),
            Some("1")
        );
        assert_clear(&c);
    }

    #[test]
    fn no_points_no_axis() {
        let c = trend_chart(&[], Some("2026-11"));
        assert!(c.months.is_empty() && c.points.is_empty() && c.path.is_empty());
    }
}
