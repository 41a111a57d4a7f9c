//! `.sourceignore` / `spec.ignore` matching with gitignore syntax, as source-controller does it
//! (go-git's matcher): the VCS and default excludes first, then each `.sourceignore` scoped to
//! its directory, then `spec.ignore`; the last matching pattern decides; a pattern that matches
//! a directory also matches everything below it.

use regex::Regex;

/// Always excluded (source-controller's VCS patterns and default excludes, SPEC §5).
pub const DEFAULT_EXCLUDES: &[&str] = &[
    ".git/",
    ".gitignore",
    ".gitmodules",
    ".gitattributes",
    "*.jpg",
    "*.jpeg",
    "*.gif",
    "*.png",
    "*.wmv",
    "*.flv",
    "*.tar.gz",
    "*.zip",
    ".github/",
    ".circleci/",
    ".travis.yml",
    ".gitlab-ci.yml",
    "appveyor.yml",
    ".drone.yml",
    "cloudbuild.yaml",
    "codeship-services.yml",
    "codeship-steps.yml",
    "**/.goreleaser.yml",
    "**/.sops.yaml",
    "**/.flux.yaml",
];

#[derive(Debug, Clone)]
struct Pattern {
    /// Directory the pattern file lives in (path components from the root).
    domain: Vec<String>,
    negate: bool,
    dir_only: bool,
    /// Contains a slash: matched against the path from the domain, not any name.
    anchored: bool,
    regex: Regex,
}

/// An ordered set of patterns.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    patterns: Vec<Pattern>,
}

fn glob_to_regex(glob: &str) -> String {
    let chars: Vec<char> = glob.chars().collect();
    let mut out = String::from("^");
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' if chars.get(i + 1) == Some(&'*') => {
                let slash_after = chars.get(i + 2) == Some(&'/');
                if slash_after {
                    out.push_str("(?:.*/)?");
                    i += 3;
                } else {
                    out.push_str(".*");
                    i += 2;
                }
                continue;
            }
            '*' => out.push_str("[^/]*"),
            '?' => out.push_str("[^/]"),
            '[' => {
                let mut j = i + 1;
                let mut class = String::from("[");
                if matches!(chars.get(j), Some('!') | Some('^')) {
                    class.push('^');
                    j += 1;
                }
                let start = j;
                while j < chars.len() && (chars[j] != ']' || j == start) {
                    if chars[j] == '\\' || chars[j] == '[' {
                        class.push('\\');
                    }
                    class.push(chars[j]);
                    j += 1;
                }
                if j < chars.len() {
                    class.push(']');
                    out.push_str(&class);
                    i = j + 1;
                    continue;
                }
                out.push_str("\\[");
            }
            '\\' if i + 1 < chars.len() => {
                out.push_str(&regex::escape(&chars[i + 1].to_string()));
                i += 2;
                continue;
            }
            other => out.push_str(&regex::escape(&other.to_string())),
        }
        i += 1;
    }
    out.push('$');
    out
}

fn parse_line(line: &str, domain: &[String]) -> Option<Pattern> {
    let mut text = line.trim_end_matches(['\r', '\n']);
    if !text.ends_with("\\ ") {
        text = text.trim_end();
    }
    if text.is_empty() || text.starts_with('#') {
        return None;
    }
    let mut negate = false;
    if let Some(rest) = text.strip_prefix('!') {
        negate = true;
        text = rest;
    } else if let Some(rest) = text.strip_prefix("\\!") {
        text = rest;
    }
    let dir_only = text.ends_with('/');
    let text = text.trim_end_matches('/');
    let anchored = text.contains('/');
    let text = text.trim_start_matches('/');
    if text.is_empty() {
        return None;
    }
    let regex = Regex::new(&glob_to_regex(text)).ok()?;
    Some(Pattern {
        domain: domain.to_vec(),
        negate,
        dir_only,
        anchored,
        regex,
    })
}

impl Pattern {
    /// Does this pattern match `path` (components from the root), or a directory above it?
    fn matches(&self, path: &[&str], is_dir: bool) -> bool {
        if path.len() <= self.domain.len() || self.domain.iter().zip(path).any(|(d, p)| d != p) {
            return false;
        }
        let rel = &path[self.domain.len()..];
        (1..=rel.len()).any(|k| {
            let candidate_is_dir = k < rel.len() || is_dir;
            if self.dir_only && !candidate_is_dir {
                return false;
            }
            if self.anchored {
                self.regex.is_match(&rel[..k].join("/"))
            } else {
                self.regex.is_match(rel[k - 1])
            }
        })
    }
}

impl Matcher {
    /// The default excludes only.
    pub fn with_defaults() -> Matcher {
        let mut m = Matcher::default();
        m.add_lines(&DEFAULT_EXCLUDES.join("\n"), &[]);
        m
    }

    /// Add the lines of a pattern file found in directory `domain` (empty = root).
    pub fn add_lines(&mut self, text: &str, domain: &[String]) {
        self.patterns
            .extend(text.lines().filter_map(|l| parse_line(l, domain)));
    }

    /// True when the path (slash-separated, relative to the root) is excluded.
    pub fn is_ignored(&self, path: &str, is_dir: bool) -> bool {
        let comps: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
        for p in self.patterns.iter().rev() {
            if p.matches(&comps, is_dir) {
                return !p.negate;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(extra: &str) -> Matcher {
        let mut m = Matcher::with_defaults();
        m.add_lines(extra, &[]);
        m
    }

    #[test]
    fn default_excludes_hide_vcs_ci_and_binaries() {
        let d = Matcher::with_defaults();
        for p in [
            ".git/config",
            "sub/.gitignore",
            "img/logo.png",
            ".github/workflows/ci.yaml",
            "deep/.sops.yaml",
            "x.tar.gz",
        ] {
            assert!(d.is_ignored(p, false), "{p} should be ignored");
        }
        for p in [
            "apps/app.yaml",
            "README.md",
            ".sourceignore",
            "gitignore.yaml",
        ] {
            assert!(!d.is_ignored(p, false), "{p} should be kept");
        }
    }

    #[test]
    fn gitignore_rules_anchoring_dirs_negation_and_double_star() {
        let m = m("/build\n*.md\n!KEEP.md\ndocs/\nconfig/**/secret-*.yaml\nlogs/*.log\n");
        assert!(m.is_ignored("build/out.yaml", false));
        assert!(
            !m.is_ignored("sub/build/out.yaml", false),
            "anchored to the root"
        );
        assert!(m.is_ignored("a/b/notes.md", false));
        assert!(!m.is_ignored("KEEP.md", false));
        assert!(m.is_ignored("docs/x.yaml", false));
        assert!(
            !m.is_ignored("docs", false),
            "a file named docs is not a directory"
        );
        assert!(m.is_ignored("config/secret-a.yaml", false));
        assert!(m.is_ignored("config/a/b/secret-b.yaml", false));
        assert!(!m.is_ignored("config/a/public.yaml", false));
        assert!(m.is_ignored("logs/x.log", false));
        assert!(!m.is_ignored("logs/sub/x.log", false), "* does not cross /");
    }

    #[test]
    fn nested_sourceignore_is_scoped_to_its_directory() {
        let mut m = Matcher::with_defaults();
        m.add_lines("*.yaml\n", &["apps".to_string()]);
        assert!(m.is_ignored("apps/a.yaml", false));
        assert!(!m.is_ignored("infra/a.yaml", false));
        assert!(!m.is_ignored("apps.yaml", false));
    }

    #[test]
    fn character_classes_and_comments() {
        let m = m("# comment\nfile[0-9].txt\n\\#hash\n");
        assert!(m.is_ignored("file1.txt", false));
        assert!(!m.is_ignored("fileA.txt", false));
        assert!(m.is_ignored("#hash", false));
    }
}
