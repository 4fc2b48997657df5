//! The Raspberry Pi 4 SD card image: `scripts/rpi4-image` writes an MBR disk with one
//! FAT32 boot partition holding the firmware, the device tree, a commented config.txt,
//! cmdline.txt, the kernel and the boot image; the test reads it back with mtools and
//! boots its kernel, tree, boot image and command line under QEMU raspi4b (QEMU cannot
//! run the Pi's firmware itself, so that part only real hardware shows).

mod qemu;

use qemu::{repo_root, Machine};
use std::path::{Path, PathBuf};
use std::process::Command;

const SECTOR: usize = 512;

/// Runs scripts/rpi4-image (with `args`) into a directory of this test's own and returns
/// the image.
fn build_image(dir: &Path, args: &[&str]) -> PathBuf {
    let image = dir.join("sd.img");
    let output = Command::new(repo_root().join("scripts/rpi4-image"))
        .arg("--out")
        .arg(&image)
        .args(args)
        .current_dir(repo_root())
        .output()
        .expect("cannot run scripts/rpi4-image");
    assert!(
        output.status.success(),
        "scripts/rpi4-image failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    image
}

/// Runs an mtools command on the partition at `offset` bytes into `image`.
fn mtools(tool: &str, image: &Path, offset: usize, args: &[&str]) -> Vec<u8> {
    let output = Command::new(tool)
        .env("MTOOLS_SKIP_CHECK", "1")
        .arg("-i")
        .arg(format!("{}@@{offset}", image.display()))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {tool} (run scripts/setup): {e}"));
    assert!(
        output.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn le32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

#[test]
fn sd_image_holds_a_bootable_fat32_partition_with_firmware_kernel_and_config() {
    let dir = repo_root().join(format!("target/rpi4-image-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let image = build_image(&dir, &[]);
    let disk = std::fs::read(&image).unwrap();

    // The partition table: an MBR whose first entry is an active FAT32 (LBA) partition
    // from 1 MiB to the end of the image, and no other entry.
    assert_eq!(&disk[510..512], &[0x55, 0xaa], "no MBR signature");
    let entry = &disk[446..462];
    assert_eq!(entry[0], 0x80, "partition 1 is not marked active");
    assert_eq!(entry[4], 0x0c, "partition 1 is not type 0x0c (FAT32 LBA)");
    let start = le32(entry, 8) as usize;
    let sectors = le32(entry, 12) as usize;
    assert_eq!(start, 2048);
    assert_eq!((start + sectors) * SECTOR, disk.len());
    assert!(
        disk[462..510].iter().all(|&b| b == 0),
        "more than one partition"
    );

    // The partition's boot sector says FAT32.
    let offset = start * SECTOR;
    let boot = &disk[offset..offset + SECTOR];
    assert_eq!(&boot[82..90], b"FAT32   ");
    assert_eq!(&boot[510..512], &[0x55, 0xaa]);

    // The files, and each one's bytes as the image's sources have them.
    let listing = String::from_utf8(mtools("mdir", &image, offset, &["-b", "::"])).unwrap();
    let mut names: Vec<&str> = listing
        .lines()
        .map(|l| l.trim_start_matches("::/"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "bcm2711-rpi-4-b.dtb",
            "cmdline.txt",
            "config.txt",
            "fixup4.dat",
            "initrd.cpio",
            "start4.elf",
            "zrk.bin"
        ]
    );
    let extracted = dir.join("extracted");
    std::fs::create_dir_all(&extracted).unwrap();
    for name in &names {
        mtools(
            "mcopy",
            &image,
            offset,
            &[
                "-n",
                &format!("::{name}"),
                extracted.join(name).to_str().unwrap(),
            ],
        );
    }
    let root = repo_root();
    for (name, source) in [
        ("start4.elf", "target/firmware/start4.elf"),
        ("fixup4.dat", "target/firmware/fixup4.dat"),
        ("bcm2711-rpi-4-b.dtb", "target/firmware/bcm2711-rpi-4-b.dtb"),
    ] {
        assert!(
            std::fs::read(extracted.join(name)).unwrap()
                == std::fs::read(root.join(source)).unwrap(),
            "{name} on the card differs from {source}"
        );
    }

    // The firmware is the release scripts/setup pins (by sha256): new enough for every
    // Pi 4B revision.
    let setup = std::fs::read_to_string(root.join("scripts/setup")).unwrap();
    for name in ["start4.elf", "fixup4.dat"] {
        let pinned = setup
            .lines()
            .map(|l| l.trim_start_matches("fw_sums=\"").trim_end_matches('"'))
            .find(|l| l.len() > 66 && l.ends_with(&format!("  {name}")))
            .unwrap_or_else(|| panic!("scripts/setup pins no sha256 for {name}"));
        let output = Command::new("sha256sum")
            .arg(extracted.join(name))
            .output()
            .expect("sha256sum runs");
        let sum = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            sum.split_whitespace().next(),
            pinned.split_whitespace().next(),
            "{name} on the card is not the firmware scripts/setup pins (run scripts/setup online)"
        );
    }

    // zrk.bin: the kernel, padded with zeros to the size its arm64 header gives
    // (image_size: bss and boot stack included), so the boot image the firmware puts
    // right after the file ("followkernel") lies clear of the bss.
    let zrk = std::fs::read(extracted.join("zrk.bin")).unwrap();
    let kernel = std::fs::read(root.join("target/kernel.bin")).unwrap();
    let image_size = u64::from_le_bytes(kernel[16..24].try_into().unwrap()) as usize;
    assert!(
        image_size > kernel.len(),
        "image_size {image_size} is not past the file"
    );
    assert_eq!(zrk.len(), image_size, "zrk.bin is not padded to image_size");
    assert!(
        zrk[..kernel.len()] == kernel[..],
        "zrk.bin does not start with the kernel"
    );
    assert!(
        zrk[kernel.len()..].iter().all(|&b| b == 0),
        "padding is not zeros"
    );

    // config.txt: the lines the firmware needs, each with a comment above it, none longer
    // than 78 characters (older firmware reads no more of a line), and nothing that does
    // nothing on a Pi 4.
    let config = std::fs::read_to_string(extracted.join("config.txt")).unwrap();
    let lines: Vec<&str> = config.lines().collect();
    for want in [
        "arm_64bit=1",
        "enable_uart=1",
        "init_uart_clock=48000000",
        "kernel=zrk.bin",
        "initramfs initrd.cpio followkernel",
        "device_tree=bcm2711-rpi-4-b.dtb",
        "enable_gic=1",
    ] {
        assert!(
            lines.contains(&want),
            "config.txt lacks {want:?}:\n{config}"
        );
    }
    for (i, line) in lines.iter().enumerate() {
        if !line.is_empty() && !line.starts_with('#') {
            assert!(
                i > 0 && lines[i - 1].starts_with('#'),
                "config.txt: {line:?} has no comment above it"
            );
        }
        assert!(
            line.len() <= 78,
            "config.txt line {} is {} characters: {line:?}",
            i + 1,
            line.len()
        );
    }
    assert!(
        !lines.iter().any(|l| l.starts_with("upstream_kernel")),
        "config.txt sets upstream_kernel"
    );
    assert!(
        lines.contains(&"#uart_2ndstage=1"),
        "config.txt lacks the commented-out uart_2ndstage=1:\n{config}"
    );

    // cmdline.txt: one line, without `test` (semihosting would trap on a real Pi).
    let cmdline = std::fs::read_to_string(extracted.join("cmdline.txt")).unwrap();
    assert_eq!(cmdline.lines().count(), 1);
    assert!(!cmdline.split_whitespace().any(|w| w == "test"));

    // The boot image: a newc cpio whose manifest lists the examples.
    let cpio = std::fs::read(extracted.join("initrd.cpio")).unwrap();
    assert_eq!(
        &cpio[..6],
        b"070701",
        "initrd.cpio is not a newc cpio archive"
    );
    let examples: Vec<String> = std::fs::read_dir(root.join("userspace/examples"))
        .unwrap()
        .filter_map(|e| {
            let path = e.ok()?.path();
            (path.extension()? == "c").then(|| path.file_stem()?.to_str().map(String::from))?
        })
        .collect();
    assert!(!examples.is_empty());
    for example in &examples {
        assert!(
            cpio.windows(example.len()).any(|w| w == example.as_bytes()),
            "initrd.cpio lacks {example}"
        );
    }

    // What the card's files do under QEMU raspi4b: its kernel, tree, boot image and
    // command line (plus `test`, for the exit status).
    let boot = Machine::rpi4()
        .kernel_file(extracted.join("zrk.bin"))
        .dtb_file(extracted.join("bcm2711-rpi-4-b.dtb"))
        .qemu_arg("-initrd")
        .qemu_arg(extracted.join("initrd.cpio").to_str().unwrap())
        .append(cmdline.trim())
        .boot();
    boot.assert_exit(0)
        .assert_contains("on rpi4 (Raspberry Pi 4 Model B)")
        .assert_contains(&format!("zrk: all programs done ({} run)", examples.len()))
        .assert_lacks("(ignored)")
        .assert_lacks("overlaps");

    let _ = std::fs::remove_dir_all(&dir);
}

/// `--debug` turns the firmware's own log on (uart_2ndstage=1); `--bare` leaves the boot
/// image out.
#[test]
fn sd_image_debug_enables_the_firmwares_uart_log() {
    let dir = repo_root().join(format!(
        "target/rpi4-image-debug-test-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    build_image(&dir, &["--debug", "--bare"]);
    let boot = dir.join("sd/boot");
    let config = std::fs::read_to_string(boot.join("config.txt")).unwrap();
    let lines: Vec<&str> = config.lines().collect();
    assert!(lines.contains(&"uart_2ndstage=1"), "{config}");
    assert!(!lines.contains(&"#uart_2ndstage=1"), "{config}");
    assert!(
        !lines.iter().any(|l| l.starts_with("initramfs")),
        "{config}"
    );
    assert!(!boot.join("initrd.cpio").exists());
    assert!(lines.iter().all(|l| l.len() <= 78), "{config}");
    let _ = std::fs::remove_dir_all(&dir);
}
