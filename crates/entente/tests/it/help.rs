//! `--help` is the user manual: it must say what each command does and where the node
//! lives, without needing a node.

use crate::support::{entente, run};

fn help(args: &[&str]) -> String {
    let mut command = entente();
    command.args(args).arg("--help");
    let output = run(command, b"");
    output.assert_success();
    output.stdout
}

#[test]
fn top_level_help_describes_every_command_and_the_data_directory() {
    let text = help(&[]);
    for expected in [
        "TAXII 2.1",
        "ENTENTE_DIR",
        "--dir",
        "Create a new node",
        "Serve the node over HTTP",
        "Create, list and revoke API tokens",
        "Create and list TAXII API roots",
        "Create and list collections",
        "Import and export STIX 2.1",
        "entente init --name",
    ] {
        assert!(text.contains(expected), "top-level help lacks {expected:?}:\n{text}");
    }
}

#[test]
fn import_help_explains_formats_stdin_and_exit_status() {
    let text = help(&["intel", "import"]);
    for expected in ["gzip", "JSON lines", "standard input", "status 2", "ENTENTE_DIR", "--collection"] {
        assert!(text.contains(expected), "`intel import --help` lacks {expected:?}:\n{text}");
    }
}

#[test]
fn subcommand_help_names_the_choices() {
    let init = help(&["init"]);
    assert!(init.contains("ISO 3166-1") && init.contains("agency"), "{init}");
    let token = help(&["token", "create"]);
    for role in ["reader", "analyst", "envoy", "admin"] {
        assert!(token.contains(role), "`token create --help` lacks {role}:\n{token}");
    }
    let export = help(&["intel", "export"]);
    assert!(export.contains("--all-versions") && export.contains("--type"), "{export}");
}
