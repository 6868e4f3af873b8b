//! The documentation stays true to the code.
use loadsmith::findings::Code;

#[test]
fn findings_doc_lists_every_code_with_its_severity() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/findings.md")).unwrap();
    for c in Code::ALL {
        let sev = format!("{:?}", c.severity()).to_lowercase();
        let row = format!("| `{}` | {sev} | {} |", c.as_str(), c.meaning());
        assert!(doc.contains(&row), "docs/findings.md lacks: {row}");
    }
}

#[test]
fn readme_starts_with_the_two_setup_commands() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let block: Vec<&str> = readme
        .split("```sh\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap()
        .lines()
        .collect();
    assert_eq!(
        block,
        [
            "cargo run -- inspect testdata/P0S3-8-12-00-sample.zip",
            "cargo test"
        ]
    );
}
