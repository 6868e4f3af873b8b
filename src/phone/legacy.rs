//! The 7940/7960 walk (seed 000): the original boot mechanism before the
//! universal loader, the loader's hunt after it, the vendor matrix for every
//! application image the phone is told to write, and the loader step of the
//! Procedure C note.

use super::files::{self, Era};
use super::source::Fetch;
use super::walk::{Decided, Hunt, MAX_PASSES, Stop, Walk};
use super::{BootReport, Kind};
use crate::names::{Family, ImageName, Protocol};
use crate::pointers::os79xx_value;
use crate::upgrade;

/// What is in a 7940/7960's flash as the walk goes.
struct Flash {
    /// The application image (or the pre-loader image) it runs.
    app: Option<String>,
    /// The loader, once one is in flash (its load name), for loader-era phones.
    loader: Option<String>,
    /// The `LA_VERSION` of the loader in flash when the `.loads` that
    /// installed it in this walk gave one.
    la: Option<String>,
    era: Era,
}

impl Flash {
    fn app_name(&self) -> Option<ImageName> {
        self.app.as_deref().map(ImageName::parse)
    }
}

pub fn walk(w: &mut Walk<'_>) -> BootReport {
    // A factory reset clears settings and network configuration, not the
    // image in flash (rule 8).
    if w.state.factory_reset {
        w.say("a factory reset clears the settings, not the image in flash".into());
    }
    let app = w.state.running.clone();
    let era = match app.as_deref() {
        Some(super::fleet::PRE_LOADER | files::PRE_5) => Era::PreLoader,
        a => files::era(a.map(ImageName::parse).as_ref()),
    };
    let mut flash = Flash {
        app,
        loader: None,
        la: None,
        era,
    };
    while w.pass <= MAX_PASSES {
        let step = match flash.era {
            Era::PreLoader => pre_loader_pass(w, &mut flash),
            Era::Loader => loader_pass(w, &mut flash),
        };
        if let Some(done) = step {
            return done;
        }
    }
    let msg = format!("does not settle after {MAX_PASSES} passes");
    w.end(Kind::Loops, flash.app, msg, None)
}

/// True when the image line of an `OS79XX.TXT` ends in a space or tab
/// before its line end (`P003-8-12-00 \r\n`, as a real public tree holds).
fn trailing_blank(bytes: &[u8]) -> bool {
    let b = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    String::from_utf8_lossy(b)
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.ends_with([' ', '\t']))
}

/// First four characters, as the original mechanism compares them.
fn first4(s: &str) -> String {
    s.chars().take(4).collect()
}

/// One pass of the original boot mechanism (rule 1). `None`: rebooted, go on.
fn pre_loader_pass(w: &mut Walk<'_>, flash: &mut Flash) -> Option<BootReport> {
    let running = flash.app.clone().unwrap_or_default();
    let (os, spaced) = match w.get(files::OS79XX) {
        Fetch::Found { head, .. } => (os79xx_value(&head), trailing_blank(&head)),
        Fetch::NotFound => (None, false),
        Fetch::Error(e) => return Some(w.server_error(files::OS79XX.into(), e, flash.app.clone())),
    };
    if let Some(os) = os.filter(|o| first4(o) != first4(&running)) {
        if spaced {
            let msg = format!(
                "{} names \"{os} \" with a trailing space: the phone asks for a file of that name, which does not exist (vendor bug CSCdv19260), so it never loads it. Remove the space after {os}",
                files::OS79XX
            );
            return Some(w.end(
                Kind::Error,
                flash.app.clone(),
                msg,
                Some(files::OS79XX.into()),
            ));
        }
        w.say(format!(
            "{} names {os}, whose first four characters differ from {running}'s: the universal boot mechanism loads it",
            files::OS79XX
        ));
        return load_direct(w, flash, &os, files::OS79XX);
    }
    let protocol = flash
        .app_name()
        .and_then(|a| a.protocol)
        .unwrap_or(Protocol::Sccp);
    w.say(format!(
        "{} is absent or matches {running}'s first four characters: the phone carries on with its {} files",
        files::OS79XX,
        protocol.label()
    ));
    let mut decided: Option<(String, String)> = None;
    let mut silent: Option<String> = None;
    let own = files::own_protocol_files(protocol, &w.state.mac.clone());
    for f in &own {
        match w.config(f) {
            Err(stop) => return Some(w.stopped(stop, flash.app.clone(), false)),
            Ok(Some(n)) => {
                if let Some(i) = n.image {
                    decided = Some((f.clone(), i));
                }
                if protocol == Protocol::Sccp {
                    silent = decided.is_none().then(|| f.clone());
                    break;
                }
            }
            Ok(None) => {}
        }
    }
    if let (None, Some(file)) = (&decided, silent) {
        // Rule 4's reasoning holds before the loader too: the SCCP file
        // found first names nothing, a later one names an image.
        let at = own.iter().position(|f| *f == file).unwrap_or(0);
        let next = own[at + 1..]
            .iter()
            .find_map(|f| w.peek_named(f).map(|i| (i, f.clone())));
        if next.is_some() {
            return Some(w.names_nothing(file, flash.app.clone(), next));
        }
    }
    let Some((file, image)) = decided else {
        return Some(w.no_config(flash.app.clone()));
    };
    w.rep.image = Some(image.clone());
    if ImageName::parse(&image).same_image(&ImageName::parse(&running)) || image == running {
        return Some(w.settled(image));
    }
    load_direct(w, flash, &image, &file)
}

/// Loads `image` straight into flash, as the original mechanism (or a
/// pointer naming the loader) does: `IMAGE.bin` below 5.x, `IMAGE.sbn` from
/// 5.x (rule 6). `None`: rebooted, go on.
fn load_direct(w: &mut Walk<'_>, flash: &mut Flash, image: &str, why: &str) -> Option<BootReport> {
    let target = ImageName::parse(image);
    if !files::same_family(w.state.model, &target) {
        return Some(w.wrong_family(why, image, flash.app.clone()));
    }
    let loader = files::is_loader(&target);
    if !loader && let Some(done) = refuse_target(w, flash, image) {
        return Some(done);
    }
    if !loader && let Some(done) = matrix_check(w, flash, image) {
        return Some(done);
    }
    let file = match flash.app.as_deref() {
        Some(files::PRE_5) => format!("{image}.bin"),
        _ => files::direct_file(image, flash.app_name().as_ref()),
    };
    match w.get_signed(&file) {
        Ok(_) => {}
        Err(Stop::Missing(_)) => return Some(missing_direct(w, flash, image, &file, loader)),
        Err(stop) => return Some(w.stopped(stop, flash.app.clone(), false)),
    }
    if loader || files::era(Some(&target)) == Era::Loader {
        // A loader-era image written directly is its universal loader (the
        // `.sbn` is the loader, 000: "The universal application loader is
        // identified by its extension (.sbn)"); the application (`.sb2`) is
        // fetched by that loader after the reboot, so flash does not hold
        // `image` yet.
        if flash.era == Era::PreLoader {
            w.say(upgrade::DHCP_150.into());
        }
        flash.loader = Some(image.to_string());
        flash.la = None;
        flash.era = Era::Loader;
        w.reboot(format!(
            "{file} (the universal loader) is written to flash; the application is fetched after the reboot"
        ));
    } else {
        flash.app = Some(image.to_string());
        flash.era = files::era(Some(&target));
        w.reboot(format!("{file} is written to flash"));
    }
    None
}

/// The file a phone asks for to load `image` directly is not on the server:
/// it loops on it, unless the server holds another file the documents leave
/// open (then *uncertain*, both readings and the fix).
fn missing_direct(
    w: &mut Walk<'_>,
    flash: &Flash,
    image: &str,
    file: &str,
    loader: bool,
) -> BootReport {
    let runs = flash.app.as_deref().unwrap_or("nothing");
    let below = if runs == files::PRE_5 {
        ""
    } else {
        " (below 5.x)"
    };
    let loads = format!("{image}.loads");
    let (sbn, bin) = (format!("{image}.sbn"), format!("{image}.bin"));
    let msg = if !loader && w.src_has(&loads) == Some(true) {
        format!(
            "uncertain: the phone runs {runs} (before the universal loader) and is told to load {image} directly, \
                but the server holds {loads}, not {file}; the vendor's documents do not say which file such a phone \
                asks for: if {file}, it loops on it; if {loads}, as the loader does, it reaches {image}. Point {} \
                at the universal loader instead (Procedure D)",
            files::OS79XX
        )
    } else if file == bin && w.src_has(&sbn) == Some(true) {
        // The seeds are silent: see docs/boot.md, "A pre-5.x phone told to
        // load a signed image with only its .sbn".
        format!(
            "uncertain: the phone runs {runs}{below} and is told to load {image}; the server holds the signed \
                {sbn} but not the unsigned {file}. 000 says \"Versions prior to 5.x accept unsigned binary files\" \
                and ships \"P003.....bin—Nonsecure universal application loader for upgrades from pre-5.x images\", \
                but no sentence says whether such a phone asks for, or takes, a signed .sbn: under one reading it asks \
                for {file} and loops on it, under the other it loads {sbn}. Add {file} from the vendor's bundle"
        )
    } else if file == sbn
        && flash.app.as_deref() == Some(super::fleet::PRE_LOADER)
        && w.src_has(&bin) == Some(true)
    {
        // A phone known only to boot by the original mechanism may run an
        // image below 5.x or from 5.x (000: "Versions prior to 5.x accept
        // unsigned binary files. Version 5.x and later images accept only
        // signed binary files").
        format!(
            "uncertain: the phone runs an image from before the universal loader whose version is not known, and \
                the server holds the unsigned {bin} but not the signed {sbn}; 000: \"Versions prior to 5.x accept \
                unsigned binary files. Version 5.x and later images accept only signed binary files\": below 5.x it \
                loads {bin}, from 5.x it loops asking for {sbn}. Add {sbn} from the vendor's bundle"
        )
    } else {
        return w.stopped(Stop::Missing(file.to_string()), flash.app.clone(), false);
    };
    w.end(
        Kind::Uncertain,
        flash.app.clone(),
        msg,
        Some(file.to_string()),
    )
}

/// What no phone can be told, whatever it runs: an image Table 2 says never
/// existed, or (on a phone that takes signed files only) an image below 5.x.
fn refuse_target(w: &mut Walk<'_>, flash: &Flash, image: &str) -> Option<BootReport> {
    let to = ImageName::parse(image);
    if let Some(why) = upgrade::matrix::never_released(&to) {
        let msg = format!("error: {image} was never released ({why}); no phone can load it");
        return Some(w.end(Kind::Error, flash.app.clone(), msg, None));
    }
    let signed_only = !matches!(
        flash.app.as_deref(),
        Some(super::fleet::PRE_LOADER | files::PRE_5)
    ) && (flash.era == Era::Loader
        || files::takes_signed_only(flash.app_name().as_ref()));
    if signed_only && to.known && to.version.as_ref().is_some_and(|v| v.major < 5) {
        let msg = format!(
            "error: the phone runs {} (5.x or later) and is told to load {image}, older than 5.x: \"{}\" (000, \"Signed and Unsigned Images\"); name an image of 5.x or later",
            flash.app.as_deref().unwrap_or("a signed image"),
            upgrade::NO_GOING_BACK
        );
        return Some(w.end(Kind::Error, flash.app.clone(), msg, None));
    }
    None
}

/// The vendor matrix for the move from what the phone runs to `image`.
fn matrix_check(w: &mut Walk<'_>, flash: &Flash, image: &str) -> Option<BootReport> {
    let from = flash.app_name()?;
    if !from.known || from.family != Some(Family::Legacy) {
        return None;
    }
    let to = ImageName::parse(image);
    let r = flash.app.clone().unwrap_or_default();
    match upgrade::plan(&from, &to, &[w.state.model]) {
        Err(refusal) => {
            let msg = format!(
                "the vendor matrix forbids {r} → {image}: {}",
                refusal.reason
            );
            w.rep.refused = Some(refusal);
            Some(w.end(Kind::Error, Some(r), msg, None))
        }
        Ok(p) if p.steps.len() > 1 => {
            let loads: Vec<String> = p.steps.iter().map(|s| s.load.clone()).collect();
            let msg = format!(
                "the vendor matrix does not allow {r} → {image} in one step; go through {}",
                loads.join(" → ")
            );
            w.rep.plan = Some(p);
            Some(w.end(Kind::Error, Some(r), msg, None))
        }
        Ok(_) => None,
    }
}

/// One pass of the universal loader (rules 2-5). `None`: rebooted, go on.
fn loader_pass(w: &mut Walk<'_>, flash: &mut Flash) -> Option<BootReport> {
    let order = files::loader_hunt(&w.state.mac);
    let d = match w.hunt(&order, flash.loader.is_some() || flash.app.is_some()) {
        Hunt::ServerError { file, error } => {
            return Some(w.server_error(file, error, flash.app.clone()));
        }
        Hunt::Nothing => return Some(w.no_config(flash.app.clone())),
        Hunt::Decided(d) => d,
    };
    if w.rep.protocol.is_none() {
        w.rep.protocol = Some(d.protocol);
        w.say(format!(
            "{} is the first configuration file found: the phone takes {}",
            d.file,
            d.protocol.label()
        ));
    }
    let Decided {
        file,
        image,
        uncertain,
        ..
    } = d;
    if let Some(msg) = uncertain {
        return Some(w.end(Kind::Uncertain, flash.app.clone(), msg, Some(file)));
    }
    let Some(image) = image else {
        let next = next_named(w, &order, &file);
        return Some(w.names_nothing(file, flash.app.clone(), next));
    };
    w.rep.image = Some(image.clone());
    let target = ImageName::parse(&image);
    if !files::same_family(w.state.model, &target) {
        return Some(w.wrong_family(&file, &image, flash.app.clone()));
    }
    if files::is_loader(&target) {
        // Procedure C note: the loader named is loaded, then hunts (rule 5).
        return load_direct(w, flash, &image, &file);
    }
    let running = flash.app_name();
    if running
        .as_ref()
        .is_some_and(|r| r.same_image(&target) || r.stem == image)
    {
        return Some(app_starts(w, image));
    }
    if let Some(done) = refuse_target(w, flash, &image) {
        return Some(done);
    }
    if let Some(done) = matrix_check(w, flash, &image) {
        return Some(done);
    }
    if w.pass == 1 {
        w.say(format!(
            "{file} names {image}; the phone runs {}: it upgrades",
            flash.app.as_deref().unwrap_or("nothing (empty flash)")
        ));
    }
    let list_file = format!("{image}.loads");
    let list = match w.list_la(&list_file) {
        Ok(l) => l,
        // A pre-loader image named from the loader: loaded directly (Procedure B).
        Err(Stop::Missing(_)) => return load_direct(w, flash, &image, &file),
        Err(stop) => return Some(w.stopped(stop, flash.app.clone(), false)),
    };
    install(w, flash, image, &list_file, &list)
}

/// Writes the load `list_file` lists: its loader first (then reboots, `None`)
/// when flash holds another, else the application, which then starts.
fn install(
    w: &mut Walk<'_>,
    flash: &mut Flash,
    image: String,
    list_file: &str,
    (list, la): &(Vec<String>, Option<String>),
) -> Option<BootReport> {
    if let Some(l) = files::loader_of(list).map(str::to_string)
        && flash.loader.as_deref() != Some(l.trim_end_matches(".sbn"))
        && !same_loader(w, flash, list_file, &l, la.as_deref())
    {
        match w.get_signed(&l) {
            Err(Stop::Missing(_))
                if flash.loader.is_none() && !flash.app_name().is_some_and(|a| a.known) =>
            {
                // 000: LA_VERSION is "used to determine if the universal
                // application loader needs to be upgraded": a phone of unknown
                // history may hold that loader already.
                let msg = format!(
                    "uncertain: {list_file} lists the loader {l}, which is not on the server, and which loader this phone \
                        holds is not known; LA_VERSION is \"used to determine if the universal application loader needs to \
                        be upgraded\" (000): if its loader is the one {list_file}'s LA_VERSION names, it needs no loader \
                        and goes on to the application; if not, it loops asking for {l}. Add {l} from the vendor's bundle"
                );
                return Some(w.end(Kind::Uncertain, flash.app.clone(), msg, Some(l)));
            }
            Err(stop) => return Some(w.stopped(stop, flash.app.clone(), false)),
            Ok(_) => {}
        }
        flash.loader = Some(l.trim_end_matches(".sbn").to_string());
        flash.la = la.clone();
        w.reboot(format!("the universal loader {l} is written to flash"));
        return None;
    }
    let apps: Vec<String> = list
        .iter()
        .filter(|f| Some(f.as_str()) != files::loader_of(list))
        .cloned()
        .collect();
    for a in &apps {
        if let Err(stop) = w.get_signed(a) {
            return Some(w.stopped(stop, flash.app.clone(), true));
        }
    }
    flash.app = Some(image.clone());
    w.reboot(format!(
        "the application {} is written to flash and starts",
        apps.join(", ")
    ));
    Some(app_starts(w, image))
}

/// True when the loader in flash has the `LA_VERSION` `list_file` gives
/// (000: the loads file's "LA_VERSION command (used to determine if the
/// universal application loader needs to be upgraded)"): the phone needs no
/// loader and does not ask for `l`, whether or not the server holds it.
fn same_loader(
    w: &mut Walk<'_>,
    flash: &Flash,
    list_file: &str,
    l: &str,
    la: Option<&str>,
) -> bool {
    let Some(la) = la else { return false };
    // Written in this walk, or (a phone said to run a known loader-era image,
    // no loader written yet) the one that image's `.loads` on the server gives.
    let held = match (&flash.loader, flash.app_name()) {
        (Some(_), _) => flash.la.clone(),
        (None, Some(a))
            if a.known
                && a.family == Some(Family::Legacy)
                && files::era(Some(&a)) == Era::Loader =>
        {
            w.peek_la(&format!("{}.loads", a.stem))
        }
        _ => None,
    };
    if held.as_deref() != Some(la) {
        return false;
    }
    let from = match (&flash.loader, &flash.app) {
        (Some(_), _) => "the .loads that installed it in this walk".to_string(),
        (None, Some(app)) => format!("{app}.loads, whose load the phone runs"),
        (None, None) => "its load".to_string(),
    };
    w.say(format!(
        "{list_file} gives LA_VERSION {la}, the version of the loader the phone holds ({from}): the loader \
            needs no upgrade (000: LA_VERSION is \"used to determine if the universal application loader needs to be \
            upgraded\"), so the phone does not ask for {l}"
    ));
    true
}

/// The application, once it runs, asks for its own protocol's files, in the
/// order it asks (a real SIP 8.12 log, `field-facts.md`: "… P0S3-8-12-00.sb2,
/// SIPDefault.cnf, SIP<MAC>.cnf"; 000, Procedure C: SCCP reads
/// `SEP<MAC>.cnf.xml`, SIP `SIPDefault.cnf` and `SIP<MAC>.cnf`, MGCP
/// `MGCDefault.cnf` and `MGC<MAC>.cnf`). When those name another image than
/// the one the loader's hunt took, the phone is told two things: uncertain.
fn app_starts(w: &mut Walk<'_>, image: String) -> BootReport {
    let Some(p) = ImageName::parse(&image).protocol else {
        return w.settled(image);
    };
    let mac = w.state.mac.clone();
    let mut asked: Vec<String> = files::default_of(p)
        .map(str::to_string)
        .into_iter()
        .collect();
    asked.push(files::mac_file(p, &mac));
    w.say(format!(
        "{image} starts and asks for its own {} files: {}",
        p.label(),
        asked.join(", ")
    ));
    let mut own: Option<(String, String)> = None;
    for f in &asked {
        match w.config(f) {
            Ok(Some(n)) => {
                if let Some(i) = n.image {
                    own = Some((f.clone(), i));
                }
            }
            Ok(None) => {}
            Err(stop) => return w.stopped(stop, Some(image), false),
        }
    }
    match own {
        Some((f, i))
            if i != image && !ImageName::parse(&i).same_image(&ImageName::parse(&image)) =>
        {
            let msg = format!(
                "uncertain: the loader's hunt took {image}, and {image} runs, but its own file {f} names {i}; 000 \
                    (Procedure C) says the application then upgrades to the image its file names, while the hunt at the \
                    next boot takes {image} again: the phone may go back and forth. Make {f} name {image}, or the hunt's \
                    file name {i}"
            );
            w.end(Kind::Uncertain, Some(image), msg, Some(f))
        }
        _ => w.settled(image),
    }
}

/// What the next file of the hunt after `file` names for this model, read
/// without counting as a request (for the second reading of rule 4).
fn next_named(w: &mut Walk<'_>, order: &[files::HuntFile], file: &str) -> Option<(String, String)> {
    let at = order.iter().position(|h| h.name == file)?;
    order[at + 1..]
        .iter()
        .filter(|h| h.protocol.is_some())
        .find_map(|h| w.peek_named(&h.name).map(|i| (i, h.name.clone())))
}
