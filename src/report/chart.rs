//! The trend chart of an agent page as plain data: every mark and label with its coordinates
//! and box (laid out by `pages::chart`, drawn by `charts.html.j2`).

use serde::Serialize;

/// A box in chart coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    /// Do the two boxes share any area (touching edges do not count)?
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }

    /// Is the box wholly inside `outer`?
    pub fn inside(&self, outer: &Rect) -> bool {
        self.x >= outer.x
            && self.y >= outer.y
            && self.x + self.w <= outer.x + outer.w
            && self.y + self.h <= outer.y + outer.h
    }
}

/// A piece of text: its anchor point (`x`, baseline `y`), alignment and the box it takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Label {
    pub x: f64,
    pub y: f64,
    pub text: String,
    /// `start`, `middle` or `end` (SVG `text-anchor`).
    pub anchor: &'static str,
    pub size: f64,
    #[serde(rename = "box")]
    pub bbox: Rect,
}

/// A grid line of the IQS axis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tick {
    pub y: f64,
    pub label: Label,
}

/// A month on the time axis: its tick, and its label where there is room for one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Month {
    pub period: String,
    pub x: f64,
    /// No scored review this month: a gap in the line.
    pub empty: bool,
    pub label: Option<Label>,
}

/// A month's point: the IQS, its marker, its value label and its review count (each label
/// only where it fits; the table under the chart has every figure).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    pub period: String,
    pub iqs: f64,
    pub reviews: usize,
    pub x: f64,
    pub y: f64,
    pub marker: Rect,
    pub label: Option<Label>,
    pub count: Option<Label>,
}

/// The month a rubric version was first used: a dashed line and its name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionMark {
    pub x: f64,
    pub y_top: f64,
    pub y_bottom: f64,
    pub label: Option<Label>,
}

/// The whole chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendChart {
    pub width: f64,
    pub height: f64,
    /// The plot area.
    pub plot: Rect,
    pub ticks: Vec<Tick>,
    pub months: Vec<Month>,
    /// SVG path data of the line: one `M … L …` run per stretch of months without a gap.
    pub path: String,
    pub points: Vec<Point>,
    pub versions: Vec<VersionMark>,
    /// The axis titles ("IQS", "n").
    pub titles: Vec<Label>,
}

impl TrendChart {
    /// Every label the chart draws.
    pub fn labels(&self) -> Vec<&Label> {
        let mut out: Vec<&Label> = self.ticks.iter().map(|t| &t.label).collect();
        out.extend(self.titles.iter());
        out.extend(self.months.iter().filter_map(|m| m.label.as_ref()));
        out.extend(self.versions.iter().filter_map(|v| v.label.as_ref()));
        for p in &self.points {
            out.extend(p.label.iter());
            out.extend(p.count.iter());
        }
        out
    }
}
