//! The 79x1-family walk (`field-facts.md`): the term file after a factory
//! reset, the hunt, the `.loads` the configuration names and every file it
//! lists; a phone of this family runs loads of its own family code only.

use super::files;
use super::walk::{Hunt, MAX_PASSES, Stop, Walk};
use super::{BootReport, Kind};
use crate::names::ImageName;

pub fn walk(w: &mut Walk<'_>) -> BootReport {
    let mut running = (!w.state.factory_reset)
        .then(|| w.state.running.clone())
        .flatten();
    let mut running_list: Option<Vec<String>> = None;
    if w.state.factory_reset {
        // Rule 8: on this family a factory reset means the term file.
        let term = files::term_file(w.state.model).unwrap_or_default();
        w.say(format!("after a factory reset the phone asks for {term}"));
        let files = match w.list(&term) {
            Ok(f) => f,
            Err(stop) => return w.stopped(stop, None, false),
        };
        for f in &files {
            if let Err(stop) = w.get_signed(f) {
                return term_loop(w, &term, stop);
            }
        }
        w.reboot(format!("the load {term} lists is written to flash"));
        running_list = Some(files);
    }
    while w.pass <= MAX_PASSES {
        let order = files::family_hunt(&w.state.mac);
        let (file, image) = match w.hunt(&order, false) {
            Hunt::ServerError { file, error } => return w.server_error(file, error, running),
            Hunt::Nothing if running.is_none() && running_list.is_some() => {
                let msg = format!("settles on the factory-default load after {}", w.reboots());
                return w.end(Kind::Settles, None, msg, None);
            }
            Hunt::Nothing => return w.no_config(running),
            Hunt::Decided(d) => {
                if let Some(msg) = d.uncertain {
                    return w.end(Kind::Uncertain, running, msg, Some(d.file));
                }
                (d.file, d.image)
            }
        };
        let Some(image) = image else {
            if running.is_none() && running_list.is_some() {
                // Its term file's load is in flash: flash is not empty.
                let term = files::term_file(w.state.model).unwrap_or_default();
                let flash = format!("it runs the factory-default load {term} lists from flash");
                return w.names_nothing_as(file, None, flash, None);
            }
            return w.names_nothing(file, running, None);
        };
        w.rep.image = Some(image.clone());
        let target = ImageName::parse(&image);
        w.rep.protocol = target.protocol;
        if !files::same_family(w.state.model, &target) {
            return w.wrong_family(&file, &image, running);
        }
        if running.as_deref() == Some(image.as_str()) {
            return w.settled(image);
        }
        // A term file named as the load (`term70.default`) is its `.loads`.
        let files = match w.list(&format!("{image}.loads")) {
            Ok(f) => f,
            Err(stop) => return w.stopped(stop, running, false),
        };
        if running_list.as_ref() == Some(&files) {
            let msg = format!(
                "settles on {image} after {} (its components are already in flash)",
                w.reboots()
            );
            return w.end(Kind::Settles, Some(image), msg, None);
        }
        for f in &files {
            if let Err(stop) = w.get_signed(f) {
                return w.stopped(stop, running, false);
            }
        }
        w.reboot(format!("{image} is written to flash"));
        running = Some(image);
        running_list = Some(files);
    }
    let msg = format!("does not settle after {MAX_PASSES} passes");
    w.end(Kind::Loops, running, msg, None)
}

/// A phone that cannot get a file its term file lists asks for the term
/// file again and again (rule 9).
fn term_loop(w: &mut Walk<'_>, term: &str, stop: Stop) -> BootReport {
    match stop {
        Stop::Missing(f) => w.end(
            Kind::Loops,
            None,
            format!("loops on {term}: it asks for it again and again because it cannot get {f}, which {term} lists"),
            Some(term.to_string()),
        ),
        other => w.stopped(other, None, false),
    }
}
