//! Boots the kernel image under QEMU and captures what it prints.
//!
//! Shared by the integration tests: each test describes a machine, boots it in test mode
//! (the kernel leaves QEMU through semihosting with its exit status) and asserts on the
//! console output. A boot that does not finish in time is killed and fails the test.

#![allow(dead_code)]

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(90);

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Builds target/kernel.bin once per test binary (a no-op when it is up to date).
pub fn kernel_image() -> PathBuf {
    static IMAGE: OnceLock<PathBuf> = OnceLock::new();
    IMAGE
        .get_or_init(|| {
            let root = repo_root();
            let status = Command::new(root.join("scripts/build"))
                .arg("--quiet")
                .current_dir(&root)
                .status()
                .expect("cannot run scripts/build");
            assert!(status.success(), "scripts/build failed");
            root.join("target/kernel.bin")
        })
        .clone()
}

pub struct Machine {
    pub board: String,
    pub cpu: &'static str,
    pub mem: &'static str,
    pub smp: u32,
    pub append: String,
    pub extra: Vec<String>,
    /// Whether the command line says `test` (leave QEMU by semihosting with a status).
    pub test_mode: bool,
}

impl Machine {
    /// QEMU virt, Cortex-A72, EL1, GICv2, 128 MiB, one CPU.
    pub fn virt() -> Self {
        Machine {
            board: "virt".into(),
            cpu: "cortex-a72",
            mem: "128M",
            smp: 1,
            append: String::new(),
            extra: Vec::new(),
            test_mode: true,
        }
    }
    pub fn el2(mut self) -> Self {
        self.board.push_str(",virtualization=on");
        self
    }
    pub fn gic(mut self, version: u32) -> Self {
        self.board.push_str(&format!(",gic-version={version}"));
        self
    }
    pub fn cpu(mut self, cpu: &'static str) -> Self {
        self.cpu = cpu;
        self
    }
    pub fn mem(mut self, mem: &'static str) -> Self {
        self.mem = mem;
        self
    }
    pub fn smp(mut self, n: u32) -> Self {
        self.smp = n;
        self
    }
    pub fn append(mut self, args: &str) -> Self {
        self.append = args.into();
        self
    }
    pub fn without_test_mode(mut self) -> Self {
        self.test_mode = false;
        self
    }
    /// Boots with one of the device-tree fixtures in kernel/src/bsp/testdata.
    pub fn dtb(self, fixture: &str) -> Self {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("src/bsp/testdata")
            .join(fixture);
        self.qemu_arg("-dtb")
            .qemu_arg(path.to_str().expect("UTF-8 path"))
    }
    pub fn qemu_arg(mut self, arg: &str) -> Self {
        self.extra.push(arg.into());
        self
    }

    fn command_line(&self) -> String {
        if self.test_mode {
            format!("test {}", self.append)
        } else {
            self.append.clone()
        }
    }

    pub fn boot(&self) -> Boot {
        let image = kernel_image();
        let mut child = Command::new("qemu-system-aarch64")
            .args(["-M", &self.board, "-cpu", self.cpu, "-m", self.mem])
            .args(["-smp", &self.smp.to_string()])
            .args(["-display", "none", "-monitor", "none", "-serial", "stdio"])
            .args([
                "-no-reboot",
                "-semihosting-config",
                "enable=on,target=native",
            ])
            .arg("-kernel")
            .arg(&image)
            .args(["-append", &self.command_line()])
            .args(&self.extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot start qemu-system-aarch64 (run scripts/setup)");
        let mut stdout = child.stdout.take().expect("piped");
        let mut stderr = child.stderr.take().expect("piped");
        let out = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = stdout.read_to_end(&mut s);
            s
        });
        let err = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = stderr.read_to_end(&mut s);
            s
        });
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for qemu") {
                break Some(status);
            }
            if start.elapsed() > TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let output = String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned()
            + &String::from_utf8_lossy(&err.join().unwrap_or_default());
        Boot {
            exit: status.and_then(|s| s.code()),
            output,
        }
    }
}

pub struct Boot {
    /// QEMU's exit status; None if it was killed after the time-out.
    pub exit: Option<i32>,
    pub output: String,
}

impl Boot {
    pub fn assert_exit(&self, code: i32) -> &Self {
        assert_eq!(
            self.exit,
            Some(code),
            "expected exit status {code}; console output:\n{}",
            self.output
        );
        self
    }

    pub fn assert_contains(&self, text: &str) -> &Self {
        assert!(
            self.output.contains(text),
            "expected {text:?} in the console output:\n{}",
            self.output
        );
        self
    }

    pub fn assert_lacks(&self, text: &str) -> &Self {
        assert!(
            !self.output.contains(text),
            "did not expect {text:?} in the console output:\n{}",
            self.output
        );
        self
    }

    /// The number after `label` on the console, e.g. `number_after("free pages: ")`.
    pub fn number_after(&self, label: &str) -> u64 {
        let at = self
            .output
            .find(label)
            .unwrap_or_else(|| panic!("no {label:?} in the console output:\n{}", self.output))
            + label.len();
        let digits: String = self.output[at..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        digits
            .parse()
            .unwrap_or_else(|_| panic!("no number after {label:?}:\n{}", self.output))
    }
}
