//! Parser for Flux's envsubst dialect: text with `${name<op>args}` expansions.
//!
//! Only braced references expand; `$name` stays literal and `$$` is an escaped `$`. Inside the
//! arguments of an operator, `\` escapes the next character and `${…}` may nest.

use super::SubstError;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Text(String),
    Subst {
        name: String,
        op: Op,
        args: Vec<Vec<Node>>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Op {
    Plain,
    Length,
    UpperFirst,
    UpperAll,
    LowerFirst,
    LowerAll,
    /// `${v:offset}` / `${v:offset:length}`
    Substring,
    /// `${v-d}`, `${v:-d}`, `${v=d}`, `${v:=d}`: all use `d` when the value is empty or unset.
    Default,
    TrimPrefix {
        longest: bool,
    },
    TrimSuffix {
        longest: bool,
    },
    ReplaceFirst,
    ReplaceAll,
    ReplacePrefix,
    ReplaceSuffix,
}

pub(crate) fn parse(input: &str) -> Result<Vec<Node>, SubstError> {
    let mut p = Parser {
        chars: input.chars().collect(),
        pos: 0,
        input,
    };
    let nodes = p.sequence(&[], false)?;
    Ok(nodes)
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    input: &'a str,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }
    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn bad(&self, reason: &str) -> SubstError {
        SubstError::BadSubstitution {
            input: self.input.to_string(),
            offset: self.pos,
            reason: reason.to_string(),
        }
    }

    /// Read nodes until one of `stops` (not consumed) or the end. `in_args` turns on `\` escapes.
    fn sequence(&mut self, stops: &[char], in_args: bool) -> Result<Vec<Node>, SubstError> {
        let mut nodes = Vec::new();
        let mut text = String::new();
        while let Some(c) = self.peek() {
            if stops.contains(&c) {
                break;
            }
            match c {
                '$' if self.peek_at(1) == Some('$') => {
                    text.push('$');
                    self.pos += 2;
                }
                '$' if self.peek_at(1) == Some('{') => {
                    if !text.is_empty() {
                        nodes.push(Node::Text(std::mem::take(&mut text)));
                    }
                    self.pos += 2;
                    nodes.push(self.substitution()?);
                }
                '\\' if in_args && self.peek_at(1).is_some() => {
                    text.extend(self.peek_at(1));
                    self.pos += 2;
                }
                _ => {
                    text.push(c);
                    self.pos += 1;
                }
            }
        }
        if !text.is_empty() {
            nodes.push(Node::Text(text));
        }
        Ok(nodes)
    }

    fn name(&mut self) -> String {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    fn expect_close(&mut self) -> Result<(), SubstError> {
        if self.peek() == Some('}') {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.bad("expected '}'"))
        }
    }

    /// One argument running to the closing `}` (consumed).
    fn final_arg(&mut self) -> Result<Vec<Node>, SubstError> {
        let arg = self.sequence(&['}'], true)?;
        self.expect_close()?;
        Ok(arg)
    }

    /// After `${`: the name, an optional operator with its arguments, and the closing `}`.
    fn substitution(&mut self) -> Result<Node, SubstError> {
        let length = self.peek() == Some('#');
        if length {
            self.pos += 1;
        }
        let name = self.name();
        if name.is_empty() {
            return Err(self.bad("missing variable name"));
        }
        let subst = |op, args| {
            Ok(Node::Subst {
                name: name.clone(),
                op,
                args,
            })
        };
        if length {
            self.expect_close()?;
            return subst(Op::Length, vec![]);
        }
        let Some(c) = self.peek() else {
            return Err(self.bad("unterminated '${'"));
        };
        self.pos += 1;
        let doubled = |p: &mut Self, ch: char| {
            let twice = p.peek() == Some(ch);
            if twice {
                p.pos += 1;
            }
            twice
        };
        match c {
            '}' => subst(Op::Plain, vec![]),
            '^' | ',' => {
                let all = doubled(self, c);
                self.expect_close()?;
                let op = match (c, all) {
                    ('^', false) => Op::UpperFirst,
                    ('^', true) => Op::UpperAll,
                    (_, false) => Op::LowerFirst,
                    (_, true) => Op::LowerAll,
                };
                subst(op, vec![])
            }
            ':' if matches!(self.peek(), Some('=' | '-')) => {
                self.pos += 1;
                subst(Op::Default, vec![self.final_arg()?])
            }
            ':' if matches!(self.peek(), Some('?' | '+')) => {
                Err(self.bad("unsupported operator (${var:?msg} and ${var:+alt} are not supported by Flux)"))
            }
            ':' => {
                let offset = self.sequence(&[':', '}'], true)?;
                let mut args = vec![offset];
                if self.peek() == Some(':') {
                    self.pos += 1;
                    args.push(self.sequence(&['}'], true)?);
                }
                self.expect_close()?;
                subst(Op::Substring, args)
            }
            '=' | '-' => subst(Op::Default, vec![self.final_arg()?]),
            '#' => {
                let longest = doubled(self, '#');
                subst(Op::TrimPrefix { longest }, vec![self.final_arg()?])
            }
            '%' => {
                let longest = doubled(self, '%');
                subst(Op::TrimSuffix { longest }, vec![self.final_arg()?])
            }
            '/' => {
                let op = match self.peek() {
                    Some('/') => Op::ReplaceAll,
                    Some('#') => Op::ReplacePrefix,
                    Some('%') => Op::ReplaceSuffix,
                    _ => Op::ReplaceFirst,
                };
                if op != Op::ReplaceFirst {
                    self.pos += 1;
                }
                let pattern = self.sequence(&['/', '}'], true)?;
                let replacement = if self.peek() == Some('/') {
                    self.pos += 1;
                    self.sequence(&['}'], true)?
                } else {
                    Vec::new()
                };
                self.expect_close()?;
                subst(op, vec![pattern, replacement])
            }
            other => Err(self.bad(&format!("unsupported operator {other:?} (supported: ^ ^^ , ,, : # ## % %% / // /# /% - = :- :=)"))),
        }
    }
}
