//! One pass over the YAML event stream (granit-parser, with byte spans and comments) that
//! records every value scalar with its source range, style, field path and document, plus every
//! comment and the identity (apiVersion/kind/name/namespace) of each document.

use std::ops::Range;

use granit_parser::{Event, Parser, Placement, ScalarStyle};

use super::{ObjectId, SetterError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PathSegment {
    Key(String),
    Index(usize),
}

/// A scalar in value position (mapping value or sequence item).
#[derive(Debug, Clone)]
pub(crate) struct ScalarSite {
    pub value: String,
    pub style: ScalarStyle,
    pub bytes: Range<usize>,
    pub start_line: usize,
    pub end_line: usize,
    pub document: usize,
    pub path: Vec<PathSegment>,
    pub in_sequence: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct CommentSite {
    /// Text after the first `#`, without the line break.
    pub text: String,
    pub placement: Placement,
    pub bytes: Range<usize>,
    pub line: usize,
}

#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub scalars: Vec<ScalarSite>,
    pub comments: Vec<CommentSite>,
    pub objects: Vec<ObjectId>,
}

enum Frame {
    Mapping { key: Option<String> },
    Sequence { next: usize },
}

struct Walker {
    stack: Vec<Frame>,
    path: Vec<PathSegment>,
}

impl Walker {
    /// Called when a node starts in the current frame: returns its path segment, or `None`
    /// when the node is a mapping key.
    fn enter_node(&mut self) -> Option<Option<PathSegment>> {
        match self.stack.last_mut() {
            None => Some(None),
            Some(Frame::Sequence { next }) => {
                *next += 1;
                Some(Some(PathSegment::Index(*next - 1)))
            }
            Some(Frame::Mapping { key }) => key.take().map(|k| Some(PathSegment::Key(k))),
        }
    }
}

pub(crate) fn scan(text: &str, file: &str) -> Result<Scan, SetterError> {
    let mut out = Scan::default();
    let mut walker = Walker {
        stack: Vec::new(),
        path: Vec::new(),
    };
    let mut document = 0usize;
    let mut in_document = false;
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|e| SetterError::Yaml {
            file: file.to_string(),
            line: e.marker().line(),
            column: e.marker().col() + 1,
            message: e.info(),
        })?;
        let bytes = span.byte_range().unwrap_or(0..0);
        match event {
            Event::DocumentStart(..) => {
                in_document = true;
                out.objects.push(ObjectId::default());
                walker.stack.clear();
                walker.path.clear();
            }
            Event::DocumentEnd => {
                if in_document {
                    document += 1;
                }
                in_document = false;
            }
            Event::Comment(body, placement) => out.comments.push(CommentSite {
                text: body.trim_end_matches('\r').to_string(),
                placement,
                bytes,
                line: span.start.line(),
            }),
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let segment = walker.enter_node().flatten();
                let is_mapping = matches!(event, Event::MappingStart(..));
                if let Some(seg) = segment {
                    walker.path.push(seg);
                } else if !walker.stack.is_empty() {
                    // A collection used as a mapping key: give it a placeholder segment.
                    walker.path.push(PathSegment::Key(String::from("?")));
                }
                walker.stack.push(if is_mapping {
                    Frame::Mapping { key: None }
                } else {
                    Frame::Sequence { next: 0 }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                walker.stack.pop();
                if !walker.stack.is_empty() {
                    walker.path.pop();
                }
            }
            Event::Scalar(value, style, ..) => {
                let in_sequence = matches!(walker.stack.last(), Some(Frame::Sequence { .. }));
                match walker.enter_node() {
                    None => {
                        if let Some(Frame::Mapping { key }) = walker.stack.last_mut() {
                            *key = Some(value.to_string());
                        }
                    }
                    Some(segment) => {
                        let mut path = walker.path.clone();
                        path.extend(segment);
                        record_identity(&mut out.objects, &path, &value);
                        out.scalars.push(ScalarSite {
                            value: value.to_string(),
                            style,
                            bytes,
                            start_line: span.start.line(),
                            end_line: span.end.line(),
                            document,
                            path,
                            in_sequence,
                        });
                    }
                }
            }
            Event::Alias(..) => {
                walker.enter_node();
            }
            _ => {}
        }
    }
    Ok(out)
}

fn record_identity(objects: &mut [ObjectId], path: &[PathSegment], value: &str) {
    let Some(object) = objects.last_mut() else {
        return;
    };
    let key = |i: usize| match path.get(i) {
        Some(PathSegment::Key(k)) => k.as_str(),
        _ => "",
    };
    let slot = match (path.len(), key(0), key(1)) {
        (1, "apiVersion", _) => &mut object.api_version,
        (1, "kind", _) => &mut object.kind,
        (2, "metadata", "name") => &mut object.name,
        (2, "metadata", "namespace") => &mut object.namespace,
        _ => return,
    };
    *slot = value.to_string();
}

/// `spec.template.spec.containers[0].image`
pub(crate) fn path_string(path: &[PathSegment]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            PathSegment::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            PathSegment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}
