//! On a terminal the human report is coloured, unless NO_COLOR is set. `script` (util-linux) gives
//! the command a real pseudo-terminal.

use crate::common;

use std::process::Command;

fn on_a_terminal(no_color: bool) -> String {
    let bin = env!("CARGO_BIN_EXE_acp-check");
    let cmd = format!("{bin} lint fixtures/rules/schema-type/fires.yaml");
    let mut script = Command::new("script");
    script
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(common::root())
        .env("TERM", "xterm-256color");
    if no_color {
        script.env("NO_COLOR", "1");
    } else {
        script.env_remove("NO_COLOR");
    }
    let out = script.output().expect("`script` (util-linux) runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn colour_on_a_terminal_and_none_with_no_color() {
    let coloured = on_a_terminal(false);
    assert!(coloured.contains("schema-type"), "{coloured}");
    assert!(
        coloured.contains("\u{1b}["),
        "a terminal gets colour:\n{coloured}"
    );

    let plain = on_a_terminal(true);
    assert!(plain.contains("schema-type"), "{plain}");
    assert!(!plain.contains("\u{1b}["), "NO_COLOR gets none:\n{plain}");
}
