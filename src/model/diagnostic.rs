//! Diagnostics: the stable codes, their severities and hints, and the problem type every check
//! returns. `docs/diagnostics.md` documents every code listed here.

use serde::Serialize;
use std::fmt;

/// How bad a problem is. Errors make `rubric check` exit 1; warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, $sev:ident, $summary:literal, $hint:literal; )*) => {
        /// A stable, kebab-case diagnostic code. Tools match on these names; never rename one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable kebab-case name.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The default severity of problems with this code.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }

            /// One sentence on what the code means (used for SARIF rules and docs).
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }

            /// The default advice on what to do.
            pub fn default_hint(self) -> &'static str {
                match self { $(Code::$variant => $hint,)* }
            }
        }
    };
}

codes! {
    /// The file could not be read.
    Io = "io-error", Error, "The file could not be read.", "Check that the file exists and is readable.";
    /// The file is larger than the size limit.
    FileTooLarge = "file-too-large", Error, "The file is larger than the size limit.", "Split the file, or raise the limit with --max-file-size.";
    /// The file is not valid UTF-8.
    NotUtf8 = "not-utf8", Error, "The file is not valid UTF-8 text.", "Save the file as UTF-8.";
    /// The file has no YAML content.
    EmptyFile = "empty-file", Error, "The file is empty or holds only comments.", "Fill in the file, or delete it.";
    /// The YAML does not parse.
    YamlSyntax = "yaml-syntax", Error, "The file is not valid YAML.", "Fix the YAML syntax at this position (check indentation, quotes and colons).";
    /// A mapping has the same key twice.
    DuplicateKey = "duplicate-key", Error, "A mapping has the same key twice.", "Remove or rename one of the two keys; YAML keeps only one and the other would be lost.";
    /// Alias expansion exceeded its budget.
    AliasLimit = "alias-limit", Error, "Anchors and aliases expand to too many nodes (a 'billion laughs' file).", "Write the values out instead of nesting anchors and aliases.";
    /// Nesting is too deep.
    TooDeep = "too-deep", Error, "The YAML nests deeper than any rubric file needs.", "Flatten the structure; rubric files nest only a few levels.";
    /// More than one YAML document in the file.
    MultipleDocuments = "multiple-documents", Error, "The file holds more than one YAML document.", "Keep one document per file: remove the extra `---` separators.";
    /// The top level is not a mapping.
    NotAMapping = "not-a-mapping", Error, "The top level of the file is not a mapping of keys to values.", "Start the file with `key: value` lines (see `rubric schema`).";
    /// A key that is not a plain scalar.
    UnsupportedKey = "unsupported-key", Error, "A mapping key is a sequence, a mapping or otherwise not a plain text key.", "Use plain text keys.";
    /// A value YAML cannot represent as data here (NaN, infinity, bad tag).
    UnsupportedValue = "unsupported-value", Error, "A value cannot be used as data (NaN, infinity, or a value that does not match its tag).", "Write a plain number or quoted text.";
    /// The file does not match its JSON Schema.
    Schema = "schema", Error, "The file does not match its JSON Schema (schemas/*.schema.json).", "Compare with the schema: `rubric schema rubric|review|config|assignments`.";
    /// A rubric's id differs from its file stem.
    RubricIdMismatch = "rubric-id-mismatch", Error, "A rubric's id differs from its file name.", "Rename the file to `<id>.yaml`, or change `id` to the file stem.";
    /// Two rubric files declare the same id.
    DuplicateRubric = "duplicate-rubric", Error, "Two rubric files declare the same rubric id.", "Give each rubric file its own id.";
    /// A category id is used twice in one rubric.
    DuplicateCategory = "duplicate-category", Error, "Two categories of one rubric have the same id.", "Give each category its own id.";
    /// A group id is used twice in one rubric.
    DuplicateGroup = "duplicate-group", Error, "Two groups of one rubric have the same id.", "Give each group its own id.";
    /// A category names a group that does not exist.
    UnknownGroup = "unknown-group", Error, "A category names a group that the rubric does not define.", "Add the group under `groups`, or fix the category's `group`.";
    /// The number of labels differs from the scale.
    LabelCount = "label-count", Error, "A category has a number of labels different from its scale.", "Give exactly `scale` labels, lowest point first, or drop `labels`.";
    /// A weight below zero.
    NegativeWeight = "negative-weight", Error, "A category weight is below 0.", "Use a weight of 0 or more (0: rated and shown, not scored).";
    /// A bonus category is also critical.
    BonusCritical = "bonus-critical", Error, "A bonus category is also critical.", "Drop `critical` (a bonus only adds to a score), or drop `bonus`.";
    /// `critical: group` on a category without a group.
    GroupCriticalWithoutGroup = "group-critical-without-group", Error, "A category is `critical: group` but belongs to no group.", "Give the category a `group`, or use `critical: true` to fail the whole review.";
    /// A review names a rubric that does not exist.
    UnknownRubric = "unknown-rubric", Error, "A review names a rubric id that no rubric file (now or in history) has.", "Fix `rubric:` to name an existing rubric as <id>@<version>.";
    /// A review names a rubric version that never existed.
    UnknownRubricVersion = "unknown-rubric-version", Error, "A review names a rubric version that the rubric never had.", "Fix the version in `rubric:` to one the rubric has had.";
    /// The rubric version could not be looked up because history is missing.
    RubricHistoryUnavailable = "rubric-history-unavailable", Error, "A review names an older rubric version, and the git history that holds it is not available (no repository, or a shallow clone).", "Check out full history: `git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout.";
    /// A rating for a category the rubric version does not have.
    UnknownCategory = "unknown-category", Error, "A review rates a category that its rubric version does not have.", "Rate only the categories of the rubric version; remove or rename this one.";
    /// A category of the rubric version is not rated.
    MissingRating = "missing-rating", Error, "A review does not rate a category of its rubric version.", "Add a rating for this category (use `na` where the category allows it).";
    /// A rating outside 1..scale.
    RatingOutOfScale = "rating-out-of-scale", Error, "A rating is outside 1..scale of its category.", "Use a rating from 1 to the category's scale.";
    /// `na` on a category that does not allow it.
    NaNotAllowed = "na-not-allowed", Error, "A review rates a category 'na' that does not allow it.", "Give a numeric rating, or set `na: true` on the category in the rubric.";
    /// A root cause not in the category's list.
    UnknownRootCause = "unknown-root-cause", Error, "A rating names a root cause that its category does not list.", "Use one of the category's root_causes, or add this one to the rubric.";
    /// A date that does not exist or does not parse.
    InvalidDate = "invalid-date", Error, "A date (reviewed_at, or a dispute's opened or resolved) is not a real date or RFC 3339 time.", "Write a date as YYYY-MM-DD or a time as RFC 3339 (2026-11-20T14:05:00+02:00).";
    /// A review id that is not a valid id (from the file stem).
    InvalidReviewId = "invalid-review-id", Error, "A review has no id and its file name is not a valid review id.", "Add an `id:` with letters, digits and . _ @ + -, or rename the file.";
    /// Two reviews share an id.
    DuplicateReviewId = "duplicate-review-id", Error, "Two review files have the same review id.", "Give one of the reviews another id (or file name).";
    /// An agent missing from the roster.
    UnknownAgent = "unknown-agent", Error, "A review's agent is not in the qa.yaml people roster.", "Add the agent to `people` in qa.yaml, or fix the id.";
    /// A reviewer missing from the roster.
    UnknownReviewer = "unknown-reviewer", Error, "A review's reviewer is not in the qa.yaml people roster.", "Add the reviewer to `people` in qa.yaml, or fix the id.";
    /// One e-mail given to two people.
    DuplicateEmail = "duplicate-email", Error, "Two people in the qa.yaml roster share an e-mail address.", "Keep each e-mail address under one person.";
    /// A configured folder that does not exist.
    MissingFolder = "missing-folder", Error, "qa.yaml names a rubrics or reviews folder that does not exist.", "Create the folder, or fix the path in qa.yaml (paths are relative to the repository root).";
    /// An unknown IANA time zone.
    UnknownTimezone = "unknown-timezone", Error, "qa.yaml names a time zone that is not in the IANA database.", "Use an IANA zone name such as UTC or Europe/Tallinn.";
    /// Scoring changed without a higher version.
    VersionNotBumped = "version-not-bumped", Error, "A rubric's scoring changed since the base revision but its version did not go up.", "Raise `version` so that old reviews keep the scores of the version they were written against.";
    /// The version went down.
    VersionDecreased = "version-decreased", Error, "A rubric's version is lower than at the base revision.", "Versions only go up: use a number above the base's.";
    /// A version number reused for different scoring.
    VersionReused = "version-reused", Error, "A rubric version number that history already used for different scoring.", "Use a version number that no earlier content of this rubric had.";
    /// Wording-only change (no bump needed).
    RubricReworded = "rubric-reworded", Warning, "A rubric changed only in wording (titles, descriptions, labels); no version bump is needed.", "Nothing to do: wording changes keep the version.";
    /// One reviewer rated one conversation twice in one calibration session.
    DuplicateCalibrationRating = "duplicate-calibration-rating", Error, "One reviewer rated the same conversation more than once in one calibration session.", "Keep one review per reviewer, conversation and session: delete the extra one, or give it another `calibration` session.";
    /// A review id that another agent's review used before.
    ReviewIdReused = "review-id-reused", Warning, "A review id was used by another agent's review before; this review starts a timeline of its own.", "Give each conversation review its own id (or file name).";
    /// A reviewer reviewing their own conversation.
    SelfReview = "self-review", Warning, "A reviewer reviewed their own conversation.", "Have someone else review this conversation.";
    /// `reviewed_at` lies in the future.
    FutureDate = "future-date", Warning, "A date (reviewed_at, or a dispute's opened or resolved) lies in the future.", "Check the date: it lies after today.";
    /// A second open dispute on one review.
    DisputeAlreadyOpen = "dispute-already-open", Error, "A review has more than one open dispute.", "Answer the open dispute first (`rubric resolve`), then open the next one.";
    /// More disputes than `disputes.max_per_review`.
    TooManyDisputes = "too-many-disputes", Error, "A review has more disputes than qa.yaml's `disputes.max_per_review` (default 3) allows.", "Remove the extra dispute, or ask a QA lead to raise `disputes.max_per_review`.";
    /// A dispute opened after `disputes.window_days`.
    DisputeWindowClosed = "dispute-window-closed", Error, "A dispute was opened later after the review than qa.yaml's `disputes.window_days` allows.", "Disputes must be opened within the window; talk to your QA lead instead.";
    /// A rating dispute opened by someone other than the review's agent.
    DisputeNotByAgent = "dispute-not-by-agent", Error, "A `rating` dispute was opened by someone other than the review's agent.", "Only the agent of a review disputes its ratings: set `by` to the review's agent.";
    /// A person in a dispute who is not in the roster.
    UnknownPerson = "unknown-person", Error, "A dispute names a person (`by`, `proposed_agent`, `resolved_by`) who is not in the qa.yaml people roster.", "Use a roster id from `people` in qa.yaml.";
    /// A proposal for a category the rubric version lacks, or a rating it does not allow.
    InvalidProposal = "invalid-proposal", Error, "A dispute proposes a rating for a category that the review's rubric version does not have, or a rating that category does not allow.", "Propose only categories of the review's rubric version, with ratings 1..scale (or `na` where allowed).";
    /// An open dispute that asks for what the review already says.
    ProposalUnchanged = "proposal-unchanged", Error, "An open dispute proposes the rating (or agent) that the review already has.", "Propose a different rating, or drop that category from `proposed`.";
    /// The status does not match the ratings (or agent) of the review.
    DisputeOutcomeMismatch = "dispute-outcome-mismatch", Error, "A resolved dispute's status does not match the review: `accepted` needs every proposed rating applied, `partially-accepted` some, `rejected` none.", "Apply the ratings the answer grants (`rubric resolve` does it), or set the status that matches them.";
    /// `resolved` before `opened`.
    DisputeResolvedBeforeOpened = "dispute-resolved-before-opened", Error, "A dispute was resolved before it was opened.", "Fix `resolved` (or `opened`): a dispute is answered after it is opened.";
    /// A dispute answered by the person who opened it, or by the review's agent.
    SelfResolvedDispute = "self-resolved-dispute", Error, "A dispute was answered by the person who opened it, or by the review's agent.", "A reviewer or QA lead answers a dispute: have them resolve it (`rubric resolve`).";
    /// A dispute answered by someone who is neither the reviewer nor a lead.
    DisputeAnsweredByOutsider = "dispute-answered-by-outsider", Error, "A dispute was answered by someone who is neither the review's reviewer nor a QA lead (checked once qa.yaml marks a person `lead: true`).", "Have the review's reviewer or a lead answer it (`rubric resolve`), or mark the person `lead: true` in qa.yaml.";
    /// The ratings changed after a rejection.
    RatingsChangedAfterRejection = "ratings-changed-after-rejection", Error, "A review's ratings changed after a dispute of it was rejected, without a later accepted dispute.", "Restore the ratings the rejection kept, or open a new dispute and accept it.";
    /// A dispute on a calibration review.
    DisputeOnCalibration = "dispute-on-calibration", Error, "A calibration review has a dispute; calibration reviews count in no score and are not disputed.", "Remove the dispute; talk about the rating in the calibration session instead.";
    /// A dispute answered in the version that first shows it.
    DisputeAnsweredUnopened = "dispute-answered-unopened", Error, "A resolved dispute was never open in an earlier version of the review: the question is not on record before the answer.", "Commit the dispute as `open` first (`rubric dispute`), then answer it in a later commit (`rubric resolve`).";
    /// The dispute history rules could not run (a shallow clone).
    DisputeHistoryUnavailable = "dispute-history-unavailable", Warning, "A review has disputes, and the history their rules need is not available (a shallow clone).", "Check out full history: `git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout.";
    /// A review that first appears with an answered dispute.
    ReviewAddedWithAnsweredDispute = "review-added-with-answered-dispute", Warning, "A review first appears in the history with a dispute already answered (imported, or under a new id).", "Nothing to do for an import; otherwise keep the review's id, so that its disputes keep their history.";
    /// The answering version changed ratings the answer does not grant.
    AnswerChangedOtherRatings = "answer-changed-other-ratings", Error, "The version that answered a dispute also changed ratings that the answer does not grant.", "Answer the dispute alone; change other ratings in a commit of their own, or through another dispute.";
    /// The review's agent changed its ratings.
    RatingsChangedByAgent = "ratings-changed-by-agent", Error, "The ratings of a review were changed in a commit by the review's own agent.", "Restore the ratings; an agent disputes a review (`rubric dispute`) and a reviewer answers (`rubric resolve`).";
    /// A resolved dispute edited or removed later.
    ResolvedDisputeChanged = "resolved-dispute-changed", Error, "A resolved dispute was edited or removed afterwards.", "Restore the dispute as it was resolved; open a new dispute to ask again.";
    /// A plan whose `cycle` differs from its file name.
    PlanCycleMismatch = "plan-cycle-mismatch", Error, "An assignment plan's cycle differs from its file name.", "Name the file `<cycle>.yaml` (rubric assign does), or fix `cycle`.";
    /// A person in a plan who is not in the roster.
    PlanUnknownPerson = "plan-unknown-person", Error, "An assignment plan names an agent or reviewer who is not in the qa.yaml people roster.", "Use a roster id from `people` in qa.yaml, or add the person.";
    /// A reviewer assigned their own conversation.
    PlanSelfReview = "plan-self-review", Error, "An assignment plan gives a reviewer a conversation of their own.", "Give the conversation to another reviewer.";
    /// A conversation listed twice in one cycle.
    PlanDuplicateConversation = "plan-duplicate-conversation", Error, "An assignment plan lists a conversation that the same cycle already lists.", "Remove the second listing: a conversation is reviewed once per cycle.";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// A 1-based line and column (in characters) in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    pub const START: Pos = Pos { line: 1, column: 1 };

    pub fn new(line: usize, column: usize) -> Pos {
        Pos { line, column }
    }
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Path relative to the repository root, with `/` separators.
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    /// What to do about it. Not part of the SPEC §7 JSON contract, but printed by every format.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, path: impl Into<String>, pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            line: pos.line,
            column: pos.column,
            severity: code.severity(),
            code,
            message: message.into(),
            hint: Some(code.default_hint().to_string()),
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn pos(&self) -> Pos {
        Pos::new(self.line, self.column)
    }
}

/// "did you mean" for a misspelt name among candidates, by Jaro-Winkler similarity.
pub fn did_you_mean<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::jaro_winkler(&name.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Formats a "did you mean" suffix, or nothing.
pub fn suggestion<'a, I>(name: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    match did_you_mean(name, candidates) {
        Some(c) => format!(" (did you mean `{c}`?)"),
        None => String::new(),
    }
}
