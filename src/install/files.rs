//! Reading a client's file, keeping a copy of it, and replacing it atomically: a client
//! that reads the file while we write it sees the old one or the new one, never half.

use std::{
    fs, io,
    path::{Path, PathBuf},
};

/// The file's text, or `None` if there is no file yet.
pub fn read(path: &Path) -> io::Result<Option<String>> {
    match fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "it is not UTF-8 text")),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

/// A link (a dotfiles manager's, say) is followed, so that the rename replaces the file it
/// points to rather than the link itself. A link that leads nowhere (its target missing, a
/// loop) is refused, naming the link and its target: writing would either replace the link
/// with a file or create its target somewhere the user did not ask for.
pub fn resolve_link(path: &Path) -> Result<PathBuf, String> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => fs::canonicalize(path).map_err(|error| {
            let target = match fs::read_link(path) {
                Ok(target) => path
                    .parent()
                    .map_or(target.clone(), |dir| dir.join(&target))
                    .display()
                    .to_string(),
                Err(_) => "a target that cannot be read".to_owned(),
            };
            let why = match error.kind() {
                io::ErrorKind::NotFound => "which does not exist".to_owned(),
                _ => format!("which cannot be followed ({error})"),
            };
            format!(
                "{} is a symbolic link to {target}, {why}: install does not write through a link \
                 to a missing file. Create the file the link names (`{{}}` will do), remove the \
                 link, or pass --config with the file to write",
                path.display()
            )
        }),
        _ => Ok(path.to_owned()),
    }
}

/// Copies `path` to `<path>.<UTC time>.bak` (a number added if that exists: two installs in
/// one second keep both copies); returns the copy's path. The copy is readable by its owner
/// only, whatever the file's permissions: it may hold the token, or another server's.
pub fn back_up(path: &Path) -> io::Result<PathBuf> {
    let stamp = jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S").to_string();
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let candidates = (0..100).map(|n| match n {
        0 => format!("{name}.{stamp}.bak"),
        n => format!("{name}.{stamp}-{n}.bak"),
    });
    for candidate in candidates {
        let backup = path.with_file_name(candidate);
        if backup.exists() {
            continue;
        }
        match copy_private(path, &backup) {
            Ok(()) => return Ok(backup),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(error),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "100 backups from this second already exist",
    ))
}

/// A new file `to` (never an existing one, nor through a link), readable by its owner only
/// from the moment it exists, with the bytes of `from`.
fn copy_private(from: &Path, to: &Path) -> io::Result<()> {
    let mut source = fs::File::open(from)?;
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    owner_only_on_create(&mut options);
    let mut copy = options.open(to)?;
    let copied = io::copy(&mut source, &mut copy).and_then(|_| copy.sync_all());
    if copied.is_err() {
        let _ = fs::remove_file(to);
    }
    copied
}

/// Writes `text` to a temporary file beside `path` and renames it over `path`. The new file
/// takes the old one's permissions, except that a file holding a secret is always readable
/// by its owner only (made so before the secret is written).
pub fn write_atomically(path: &Path, text: &str, holds_secret: bool) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = path.with_file_name(format!(".{name}.hatchet-mcp-{}.tmp", std::process::id()));
    let result = write_then_rename(&temp, path, text, holds_secret);
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

fn write_then_rename(temp: &Path, path: &Path, text: &str, holds_secret: bool) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    if holds_secret {
        owner_only_on_create(&mut options);
    }
    let file = options.open(temp)?;
    match fs::metadata(path) {
        _ if holds_secret => owner_only(&file)?,
        Ok(old) => file.set_permissions(old.permissions())?,
        Err(_) => {}
    }
    io::Write::write_all(&mut &file, text.as_bytes())?;
    file.sync_all()?;
    drop(file);
    fs::rename(temp, path)
}

#[cfg(unix)]
fn owner_only(file: &fs::File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o600))
}

#[cfg(unix)]
fn owner_only_on_create(options: &mut fs::OpenOptions) {
    use std::os::unix::fs::OpenOptionsExt;
    options.mode(0o600);
}

/// The permission bits of `path` when its group or others may use it (Unix); `None` when
/// only its owner may, or it does not exist.
#[cfg(unix)]
pub fn shared_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then_some(mode)
}

/// Makes `path` readable and writable by its owner only.
#[cfg(unix)]
pub fn make_private(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))
}

/// Windows files in a user's profile are already private to that user.
#[cfg(not(unix))]
fn owner_only(_file: &fs::File) -> io::Result<()> {
    Ok(())
}

#[cfg(not(unix))]
fn owner_only_on_create(_options: &mut fs::OpenOptions) {}

#[cfg(not(unix))]
pub fn shared_mode(_path: &Path) -> Option<u32> {
    None
}

#[cfg(not(unix))]
pub fn make_private(_path: &Path) -> io::Result<()> {
    Ok(())
}
