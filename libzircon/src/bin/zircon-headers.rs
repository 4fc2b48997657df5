//! Writes the generated C headers: `cargo run -p libzircon --features gen --bin
//! zircon-headers [INCLUDE_DIR]`. Without an argument it rewrites the checked-in copy,
//! `libzircon/include`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = match std::env::args_os().nth(1) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("include"),
    };
    match libzircon::cgen::write_headers(&dir) {
        Ok(()) => {
            for file in libzircon::cgen::headers() {
                println!("wrote {}", dir.join(file.path).display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "zircon-headers: cannot write headers under {}: {e}",
                dir.display()
            );
            ExitCode::FAILURE
        }
    }
}
