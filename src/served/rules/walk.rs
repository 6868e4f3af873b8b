//! Applying the rules to a request as `in.tftpd` does (its `remap.c`):
//! the rule loop with its [`DEADMAN`] guard, labels and jumps, rewrites
//! and the replacement's escapes, bounded by [`MAX_NAME`] per name and
//! [`MAX_REWRITES`] per request.

use std::fmt::Write as _;
use std::net::IpAddr;

use regex_automata::meta::Regex;
use regex_automata::util::captures::Captures;

use super::{DEADMAN, KEPT_STEPS, MAX_NAME, Mapped, Probe, Rewrite, Rule, Rules, served_path};

/// Rewrites of one request in all rules (each rewrite may make a name of
/// [`MAX_NAME`]): a `g` rule, steps of `s` rules.
const MAX_REWRITES: usize = 4096;

impl Rules {
    /// The rule after the label `name`, as the server looks it up (the
    /// first label of that name).
    fn after_label(&self, name: &str) -> Option<usize> {
        self.rules
            .iter()
            .position(|r| r.regex.is_none() && r.pattern == name)
            .map(|i| i + 1)
    }

    /// [`Rules::rewrite`], and the line of the rule that made the name
    /// longer than [`MAX_NAME`], if one did.
    pub(super) fn run(&self, name: &str, client: Option<IpAddr>, probe: Option<Probe>) -> Stop {
        let mut w = Walk {
            current: name.to_string(),
            steps: Vec::new(),
            rewrites: 0,
            client,
            probe,
        };
        if name.len() > MAX_NAME {
            let msg = format!("the name is longer than {MAX_NAME} bytes");
            return (refused(&msg, w.steps), None);
        }
        let mut deadman = DEADMAN;
        let mut i = 0;
        while let Some(rule) = self.rules.get(i) {
            i += 1;
            if !rule.applies(client) {
                continue;
            }
            if deadman == 0 {
                return w.stop(
                    "Remap table failure (the rules loop: the server breaks off after its step limit)",
                    None,
                );
            }
            deadman -= 1;
            let hit = match w.apply(rule) {
                Ok(Some(hit)) => hit,
                Ok(None) => continue,
                Err(stop) => return stop,
            };
            if rule.exit || rule.hasfile {
                break;
            }
            if rule.restart {
                i = 0;
            } else if let Some(label) = hit {
                match self.after_label(&label) {
                    Some(at) => i = at,
                    None => {
                        let msg = format!(
                            "Remap table failure (line {}: no label :{label} to jump to)",
                            rule.line
                        );
                        return w.stop(&msg, None);
                    }
                }
            }
        }
        let mapped = Mapped::Path(w.current);
        let steps = w.steps;
        (Rewrite { mapped, steps }, None)
    }
}

/// A request on its way through the rules.
struct Walk<'a> {
    current: String,
    steps: Vec<(usize, String)>,
    rewrites: usize,
    client: Option<IpAddr>,
    probe: Option<Probe<'a>>,
}

type Stop = (Rewrite, Option<usize>);

impl Walk<'_> {
    /// Keeps a step: the first [`KEPT_STEPS`], then the last in place of the one before.
    fn step(&mut self, line: usize) {
        if self.steps.len() >= KEPT_STEPS {
            self.steps.pop();
        }
        self.steps.push((line, self.current.clone()));
    }

    fn stop(&mut self, msg: &str, past: Option<usize>) -> Stop {
        (refused(msg, std::mem::take(&mut self.steps)), past)
    }

    /// Applies one rule: `None` when it did not act, else the label a `j`
    /// rule jumps to (`Some(None)` for any other rule that matched); `Err`
    /// for the end of the request.
    fn apply(&mut self, rule: &Rule) -> std::result::Result<Option<Option<String>>, Stop> {
        let Some(regex) = &rule.regex else {
            return Ok(None);
        };
        let before = (self.current.clone(), self.steps.len());
        let mut caps = regex.create_captures();
        regex.captures(self.current.as_str(), &mut caps);
        if caps.is_match() == rule.inverse {
            return Ok(None);
        }
        if rule.rewrite {
            self.rewrite(rule, regex, &mut caps)?;
        }
        if rule.hasfile {
            let opens = served_path(&self.current)
                .is_some_and(|p| self.probe.is_some_and(|probe| probe(&p)));
            if !opens {
                // The server ignores the rule: the name stays as it was.
                self.current = before.0;
                self.steps.truncate(before.1);
                return Ok(None);
            }
        }
        // After a rewrite the captures must be of the name as it is now
        // (an `ar` rule expands its message over the rewritten name).
        if rule.rewrite {
            regex.captures(self.current.as_str(), &mut caps);
        }
        let hit = caps.is_match().then_some(&caps);
        let expanded = || {
            substitute(&rule.pattern, &self.current, hit, self.client)
                .map(|s| s.1)
                .filter(|s| !s.is_empty())
        };
        if rule.abort {
            let msg = expanded().unwrap_or_else(|| "Access denied".to_string());
            self.step(rule.line);
            return Err(self.stop(&msg, None));
        }
        if rule.jump {
            let Some(label) = expanded() else {
                let msg = format!(
                    "Remap table failure (line {}: no label in the j rule)",
                    rule.line
                );
                return Err(self.stop(&msg, None));
            };
            return Ok(Some(Some(label)));
        }
        Ok(Some(None))
    }

    /// Rewrites the match in `caps` (found in the current name), again
    /// while a `g` rule matches: from the start, or after the replacement
    /// with `gg`.
    fn rewrite(&mut self, rule: &Rule, regex: &Regex, caps: &mut Captures) -> Result1 {
        let mut from = 0;
        loop {
            let start = caps.get_match().map_or(0, |m| m.start());
            let Some((whole, repl)) =
                substitute(&rule.pattern, &self.current, Some(caps), self.client)
            else {
                // The rule is named by the last step.
                let msg = format!(
                    "the name grows past {MAX_NAME} bytes (in.tftpd would grow it until it runs out of memory)"
                );
                self.step(rule.line);
                return Err(self.stop(&msg, Some(rule.line)));
            };
            self.current = whole;
            self.rewrites += 1;
            self.step(rule.line);
            if self.rewrites >= MAX_REWRITES {
                let msg = match rule.global {
                    // The server itself has no guard on a `g` rule and would spin forever.
                    true => {
                        "the rule rewrites without end (in.tftpd would never answer)".to_string()
                    }
                    false => format!(
                        "the rules rewrite the name more than {MAX_REWRITES} times (the rule on line {} is the last)",
                        rule.line
                    ),
                };
                return Err(self.stop(&msg, None));
            }
            if !rule.global {
                return Ok(());
            }
            if rule.sedg {
                from = start + repl.len();
                if from >= self.current.len() {
                    return Ok(());
                }
            }
            let input = regex_automata::Input::new(self.current.as_str()).range(from..);
            regex.search_captures(&input, caps);
            if caps.is_match() == rule.inverse {
                return Ok(());
            }
        }
    }
}

type Result1 = std::result::Result<(), Stop>;

fn refused(msg: &str, steps: Vec<(usize, String)>) -> Rewrite {
    Rewrite {
        mapped: Mapped::Refused(msg.to_string()),
        steps,
    }
}

/// The rewritten name (text before the match, the replacement, text after)
/// and the replacement alone; `None` when either would pass [`MAX_NAME`].
fn substitute(
    pattern: &str,
    input: &str,
    caps: Option<&Captures>,
    client: Option<IpAddr>,
) -> Option<(String, String)> {
    #[derive(Clone, Copy)]
    enum Case {
        Keep,
        Upper,
        Lower,
    }
    let mut case = Case::Keep;
    let mut out = String::new();
    let push = |out: &mut String, s: &str, case: Case| {
        if out.len() + s.len() > MAX_NAME {
            return None;
        }
        match case {
            Case::Keep => out.push_str(s),
            Case::Upper => out.push_str(&s.to_ascii_uppercase()),
            Case::Lower => out.push_str(&s.to_ascii_lowercase()),
        }
        Some(())
    };
    let group = |n: usize| {
        caps.and_then(|c| c.get_group(n))
            .and_then(|s| input.get(s.range()))
    };
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        let Some(m) = (c == '\\').then(|| chars.next()).flatten() else {
            push(&mut out, c.encode_utf8(&mut [0; 4]), case)?;
            continue;
        };
        match m {
            '0'..='9' => push(
                &mut out,
                group(m as usize - '0' as usize).unwrap_or(""),
                case,
            )?,
            'U' => case = Case::Upper,
            'L' => case = Case::Lower,
            'E' => case = Case::Keep,
            'i' => push(
                &mut out,
                &client.map(|a| a.to_string()).unwrap_or_default(),
                case,
            )?,
            'x' => push(&mut out, &hex(client), case)?,
            other => push(&mut out, other.encode_utf8(&mut [0; 4]), case)?,
        }
    }
    let whole = match caps.and_then(|c| c.get_match()) {
        Some(m) if input.len().saturating_sub(m.len()) + out.len() > MAX_NAME => return None,
        Some(m) => match (input.get(..m.start()), input.get(m.end()..)) {
            (Some(before), Some(after)) => format!("{before}{out}{after}"),
            // Captures of another string: never sliced blindly.
            _ => out.clone(),
        },
        None => out.clone(),
    };
    Some((whole, out))
}

/// The client's address in hex (`\x`).
fn hex(client: Option<IpAddr>) -> String {
    let mut hex = String::new();
    match client {
        Some(IpAddr::V4(a)) => {
            let _ = write!(hex, "{:08X}", u32::from(a));
        }
        Some(IpAddr::V6(a)) => a.octets().iter().for_each(|b| {
            let _ = write!(hex, "{b:02X}");
        }),
        None => {}
    }
    hex
}
