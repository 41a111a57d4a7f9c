//! The main list view-model: which rows, in which order, with which cells.

use super::filter::Filter;
use super::index::{FleetIndex, Summary};
use super::kinds::{self, Column, KindScope};
use super::object::Health;
use crate::tui::backend::{ObjectRef, Permissions};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Name,
    Kind,
    Namespace,
    Health,
    LastEvent,
}

impl SortKey {
    pub fn next(self) -> Self {
        match self {
            SortKey::Name => SortKey::Kind,
            SortKey::Kind => SortKey::Namespace,
            SortKey::Namespace => SortKey::Health,
            SortKey::Health => SortKey::LastEvent,
            SortKey::LastEvent => SortKey::Name,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Kind => "kind",
            SortKey::Namespace => "namespace",
            SortKey::Health => "health",
            SortKey::LastEvent => "last event",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HealthFilter {
    #[default]
    All,
    FailingFirst,
    OnlyUnhealthy,
}

impl HealthFilter {
    pub fn next(self) -> Self {
        match self {
            HealthFilter::All => HealthFilter::FailingFirst,
            HealthFilter::FailingFirst => HealthFilter::OnlyUnhealthy,
            HealthFilter::OnlyUnhealthy => HealthFilter::All,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            HealthFilter::All => "all",
            HealthFilter::FailingFirst => "failing first",
            HealthFilter::OnlyUnhealthy => "only unhealthy",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub scope: Option<KindScope>,
    pub filter: Filter,
    pub health: HealthFilter,
    pub sort: SortKey,
    pub reverse: bool,
    /// Show the NAMESPACE column (all-namespaces scope).
    pub all_namespaces: bool,
    /// `:drift`: only Kustomizations whose last drift report has changes.
    pub drift_only: bool,
}

/// One row: the object's summary (shared with the index) and what decorates it. Cells are
/// made when a row is drawn (a screenful), not for every row of a list of thousands.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub summary: Arc<Summary>,
    pub health: Health,
    pub last_event_warning: bool,
    /// The drift badge to show after the name (empty: none).
    pub badge: &'static str,
}

impl Row {
    pub fn r(&self) -> &ObjectRef {
        &self.summary.r
    }

    pub fn cell(&self, col: Column) -> String {
        let mut text = cell(&self.summary, col);
        if col == Column::Name && !self.badge.is_empty() {
            text.push(' ');
            text.push_str(self.badge);
        }
        text
    }

    /// Every cell of the row, in column order.
    pub fn cells(&self, columns: &[Column]) -> Vec<String> {
        columns.iter().map(|c| self.cell(*c)).collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListModel {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// Kinds in scope the user may not list (shown as "restricted").
    pub restricted: Vec<String>,
    pub total_in_scope: usize,
    /// Widest cell (in chars) per column over every row, computed once per build so that a
    /// keypress redraw does not re-measure thousands of rows.
    pub widths: Vec<usize>,
}

/// Short kind names for the unified list's KIND column.
pub fn short_kind(kind: &str) -> &str {
    kinds::info(kind).map(|k| k.short()).unwrap_or(kind)
}

/// Widest cell (in chars) per column over `rows`.
pub fn measure(columns: &[Column], rows: &[Row]) -> Vec<usize> {
    columns
        .iter()
        .map(|c| {
            rows.iter()
                .map(|r| r.cell(*c).chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect()
}

fn cell(s: &Summary, col: Column) -> String {
    match col {
        Column::Namespace => s.r.namespace.clone(),
        Column::Name => s.r.name.clone(),
        Column::Revision => s.revision.clone(),
        Column::Source => s
            .source
            .as_ref()
            .map(|r| format!("{}/{}", r.kind, r.name))
            .unwrap_or_default(),
        Column::Suspended => {
            if s.suspended {
                "True".into()
            } else {
                "False".into()
            }
        }
        Column::Ready => s.ready.clone(),
        Column::Message => match (&s.suspend_reason, s.suspended) {
            (Some(reason), true) => format!("suspended: {reason}"),
            _ => s.message.clone(),
        },
        Column::LastEvent => s
            .last_event
            .as_ref()
            .map(|e| e.message.clone())
            .unwrap_or_default(),
        Column::Kind => short_kind(&s.r.kind).to_string(),
        other => s
            .fields
            .iter()
            .find(|(c, _)| *c == other)
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
    }
}

pub fn build(index: &FleetIndex, perms: &Permissions, q: &ListQuery) -> ListModel {
    let scope = q.scope.unwrap_or(KindScope::All);
    let mut columns: Vec<Column> = Vec::new();
    if matches!(scope, KindScope::All | KindScope::Sources) {
        columns.push(Column::Kind);
    }
    if q.all_namespaces {
        columns.push(Column::Namespace);
    }
    let base = match scope {
        KindScope::Kind(k) => k.columns,
        _ => kinds::UNIFIED,
    };
    columns.extend(base.iter().copied());
    columns.push(Column::LastEvent);

    let restricted: Vec<String> = kinds::KINDS
        .iter()
        .filter(|k| scope.includes(k.kind()) && !perms.can_list(k.kind()))
        .map(|k| k.kind().to_string())
        .collect();
    let in_scope: Vec<&Arc<Summary>> = index
        .summaries
        .iter()
        .filter(|s| scope.includes(&s.r.kind))
        .collect();
    let total_in_scope = in_scope.len();
    let mut picked: Vec<&Arc<Summary>> = in_scope
        .into_iter()
        .filter(|s| q.filter.is_empty() || q.filter.matches(&s.r.to_string(), &s.labels))
        .filter(|s| q.health != HealthFilter::OnlyUnhealthy || !s.health.is_healthy())
        .collect();
    fn name_key(s: &Summary) -> (&str, &str, &str) {
        (s.r.namespace.as_str(), s.r.name.as_str(), s.r.kind.as_str())
    }
    picked.sort_by(|a, b| {
        let primary = match q.sort {
            SortKey::Name => {
                a.r.name
                    .cmp(&b.r.name)
                    .then_with(|| name_key(a).cmp(&name_key(b)))
            }
            SortKey::Kind => {
                a.r.kind
                    .cmp(&b.r.kind)
                    .then_with(|| name_key(a).cmp(&name_key(b)))
            }
            SortKey::Namespace => name_key(a).cmp(&name_key(b)),
            SortKey::Health => a
                .health
                .cmp(&b.health)
                .then_with(|| name_key(a).cmp(&name_key(b))),
            SortKey::LastEvent => {
                let t = |s: &Summary| s.last_event.as_ref().and_then(|e| e.at);
                t(b).cmp(&t(a)).then_with(|| name_key(a).cmp(&name_key(b)))
            }
        };
        if q.reverse {
            primary.reverse()
        } else {
            primary
        }
    });
    if q.health == HealthFilter::FailingFirst {
        picked.sort_by_key(|s| s.health != Health::Failing);
    }
    let rows: Vec<Row> = picked
        .into_iter()
        .map(|s| Row {
            summary: Arc::clone(s),
            health: s.health,
            last_event_warning: s.last_event.as_ref().is_some_and(|e| e.warning),
            badge: "",
        })
        .collect();
    let widths = measure(&columns, &rows);
    ListModel {
        columns,
        rows,
        restricted,
        total_in_scope,
        widths,
    }
}
