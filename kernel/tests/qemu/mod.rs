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

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Builds target/kernel.bin once per test binary (a no-op when it is up to date).
pub fn kernel_image() -> PathBuf {
    static IMAGE: OnceLock<PathBuf> = OnceLock::new();
    IMAGE
        .get_or_init(|| build_image(&[], "target/kernel.bin"))
        .clone()
}

/// Builds target/kernel-checked.bin (`scripts/build --checked`: the release code with
/// debug assertions, so the lock-order checker is on) once per test binary.
pub fn checked_kernel_image() -> PathBuf {
    static IMAGE: OnceLock<PathBuf> = OnceLock::new();
    IMAGE
        .get_or_init(|| build_image(&["--checked"], "target/kernel-checked.bin"))
        .clone()
}

fn build_image(args: &[&str], image: &str) -> PathBuf {
    let root = repo_root();
    let status = Command::new(root.join("scripts/build"))
        .arg("--quiet")
        .args(args)
        .current_dir(&root)
        .status()
        .expect("cannot run scripts/build");
    assert!(status.success(), "scripts/build {args:?} failed");
    root.join(image)
}

/// Debian's Raspberry Pi 4 device tree, which scripts/setup fetches into target/firmware.
pub fn rpi4_dtb() -> PathBuf {
    let path = repo_root().join("target/firmware/bcm2711-rpi-4-b.dtb");
    assert!(
        path.is_file(),
        "{} is missing: run scripts/setup (it fetches Debian's Raspberry Pi 4 device tree)",
        path.display()
    );
    path
}

pub struct Machine {
    pub board: String,
    /// QEMU `raspi4b`: RAM, CPU model and count are the machine's own (no -m/-cpu/-smp).
    pub raspi: bool,
    /// `-dtb`: the board's tree (raspi4b) or a fixture replacing QEMU's own (virt).
    pub dtb: Option<PathBuf>,
    pub cpu: &'static str,
    pub mem: &'static str,
    pub smp: u32,
    pub append: String,
    pub extra: Vec<String>,
    /// Whether the command line says `test` (leave QEMU by semihosting with a status).
    pub test_mode: bool,
    /// The kernel image to boot; `None`: target/kernel.bin, built first.
    pub kernel: Option<PathBuf>,
}

impl Machine {
    /// QEMU virt, Cortex-A72, EL1, GICv2, 128 MiB, one CPU.
    pub fn virt() -> Self {
        Machine {
            board: "virt".into(),
            raspi: false,
            dtb: None,
            cpu: "cortex-a72",
            mem: "128M",
            smp: 1,
            append: String::new(),
            extra: Vec::new(),
            test_mode: true,
            kernel: None,
        }
    }
    /// QEMU raspi4b (2 GiB, four Cortex-A72 cores entered at EL2, GIC-400) with
    /// Debian's bcm2711-rpi-4-b.dtb, as `scripts/run --board rpi4` boots it.
    pub fn rpi4() -> Self {
        Machine {
            board: "raspi4b".into(),
            raspi: true,
            dtb: Some(rpi4_dtb()),
            cpu: "cortex-a72",
            mem: "2G",
            smp: 4,
            append: String::new(),
            extra: Vec::new(),
            test_mode: true,
            kernel: None,
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
    pub fn dtb(mut self, fixture: &str) -> Self {
        self.dtb = Some(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("src/bsp/testdata")
                .join(fixture),
        );
        self
    }
    /// Boots with the device tree in `path`.
    pub fn dtb_file(mut self, path: PathBuf) -> Self {
        self.dtb = Some(path);
        self
    }
    /// Boots the kernel image in `path` (an SD card's zrk.bin, say).
    pub fn kernel_file(mut self, path: PathBuf) -> Self {
        self.kernel = Some(path);
        self
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

    fn command(&self) -> Command {
        let image = self.kernel.clone().unwrap_or_else(kernel_image);
        let mut command = Command::new("qemu-system-aarch64");
        command.args(["-M", &self.board]);
        if !self.raspi {
            command
                .args(["-cpu", self.cpu, "-m", self.mem])
                .args(["-smp", &self.smp.to_string()]);
        }
        if let Some(dtb) = &self.dtb {
            command.arg("-dtb").arg(dtb);
        }
        // On raspi4b the first -serial is the PL011 (the kernel's console).
        command
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
            .stderr(Stdio::piped());
        command
    }

    pub fn boot(&self) -> Boot {
        let mut child = self
            .command()
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

/// A machine watched after it stopped doing work (see [`Machine::boot_until`]).
pub struct Idle {
    pub boot: Boot,
    /// For each QEMU thread, the share of one host CPU it used while watched (0.0–1.0).
    pub thread_load: Vec<f64>,
    /// The 32-bit words at the physical addresses asked for, read through QEMU's monitor
    /// (None where the monitor gave no answer).
    pub words: Vec<Option<u32>>,
    /// With [`Machine::boot_until_sampling`]: the same words read again and again, one
    /// row per reading.
    pub samples: Vec<Vec<Option<u32>>>,
}

impl Machine {
    /// Boots without expecting QEMU to exit: waits for `marker` on the console, then
    /// watches how busy each QEMU thread is for `window`, reads the words at the
    /// physical addresses `peek` (device registers, say) through QEMU's monitor, and
    /// kills QEMU. For checking what a halted machine left behind.
    pub fn boot_until(&self, marker: &str, window: Duration, peek: &[u64]) -> Idle {
        self.boot_until_sampling(marker, window, peek, 0)
    }

    /// As [`Self::boot_until`], then reads the words at `peek` `samples` more times,
    /// 50 ms apart, into [`Idle::samples`] (to watch a pin change, say).
    pub fn boot_until_sampling(
        &self,
        marker: &str,
        window: Duration,
        peek: &[u64],
        samples: usize,
    ) -> Idle {
        let socket = std::env::temp_dir().join(format!(
            "zrk-monitor-{}-{:?}.sock",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_file(&socket);
        let mut command = self.command();
        // The later -monitor wins over command()'s "-monitor none".
        command
            .arg("-monitor")
            .arg(format!("unix:{},server,nowait", socket.display()));
        let mut child = command
            .spawn()
            .expect("cannot start qemu-system-aarch64 (run scripts/setup)");
        let pid = child.id();
        let console = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut readers = Vec::new();
        for mut pipe in [
            Box::new(child.stdout.take().expect("piped")) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().expect("piped")),
        ] {
            let console = std::sync::Arc::clone(&console);
            readers.push(std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    console.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            }));
        }
        let start = Instant::now();
        let seen = |console: &std::sync::Mutex<Vec<u8>>| {
            String::from_utf8_lossy(&console.lock().unwrap()).contains(marker)
        };
        while !seen(&console) && start.elapsed() < TIMEOUT {
            if child.try_wait().expect("wait for qemu").is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut thread_load = Vec::new();
        if seen(&console) {
            // Let the last lines settle before measuring.
            std::thread::sleep(Duration::from_millis(200));
            let before = thread_cpu_ticks(pid);
            let t0 = Instant::now();
            std::thread::sleep(window);
            let after = thread_cpu_ticks(pid);
            let seconds = t0.elapsed().as_secs_f64();
            for (tid, end) in &after {
                let begin = before.iter().find(|(t, _)| t == tid).map_or(0, |(_, b)| *b);
                // /proc counts in USER_HZ, 100 per second on Linux.
                thread_load.push((end - begin) as f64 / 100.0 / seconds);
            }
        }
        let mut series = peek_words(&socket, peek, 1 + samples, Duration::from_millis(50));
        let words = if series.is_empty() {
            vec![None; peek.len()]
        } else {
            series.remove(0)
        };
        let _ = std::fs::remove_file(&socket);
        let exit = child.try_wait().ok().flatten().and_then(|s| s.code());
        let _ = child.kill();
        let _ = child.wait();
        for reader in readers {
            let _ = reader.join();
        }
        let output = String::from_utf8_lossy(&console.lock().unwrap()).into_owned();
        Idle {
            boot: Boot { exit, output },
            thread_load,
            words,
            samples: series,
        }
    }
}

/// Reads one 32-bit word per address through the QEMU monitor at `socket` (`xp /1wx`),
/// `times` times, `interval` apart: one row per reading.
fn peek_words(
    socket: &std::path::Path,
    addrs: &[u64],
    times: usize,
    interval: Duration,
) -> Vec<Vec<Option<u32>>> {
    use std::io::Write;
    use std::os::unix::net::UnixStream;
    let Ok(mut monitor) = UnixStream::connect(socket) else {
        return vec![vec![None; addrs.len()]; times];
    };
    // A vCPU spinning in a delay loop can keep the monitor waiting a while.
    let _ = monitor.set_read_timeout(Some(Duration::from_millis(2000)));
    // Reads until the monitor's prompt, returning what came before it.
    let read_reply = |monitor: &mut UnixStream| {
        let mut reply = Vec::new();
        let mut buf = [0u8; 1024];
        while !String::from_utf8_lossy(&reply).contains("(qemu)") {
            match monitor.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => reply.extend_from_slice(&buf[..n]),
            }
        }
        String::from_utf8_lossy(&reply).into_owned()
    };
    read_reply(&mut monitor); // the greeting
    let mut rows = Vec::new();
    for i in 0..times {
        if i > 0 {
            std::thread::sleep(interval);
        }
        rows.push(
            addrs
                .iter()
                .map(|addr| {
                    monitor
                        .write_all(format!("xp /1wx {addr:#x}\n").as_bytes())
                        .ok()?;
                    let reply = read_reply(&mut monitor);
                    // "00000000fe200004: 0x00024000"
                    let line = reply.lines().find(|l| l.contains(": 0x"))?;
                    let hex = line.rsplit("0x").next()?.trim();
                    u32::from_str_radix(hex, 16).ok()
                })
                .collect(),
        );
    }
    rows
}

/// Each thread of process `pid` with the CPU time it has used (user + system, in
/// USER_HZ ticks), from /proc.
fn thread_cpu_ticks(pid: u32) -> Vec<(String, u64)> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for task in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        // Fields after the command name (which may hold spaces) in parentheses;
        // utime and stime are fields 14 and 15, the 12th and 13th after it.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or(0)
        };
        out.push((
            task.file_name().to_string_lossy().into_owned(),
            ticks(11) + ticks(12),
        ));
    }
    out
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
