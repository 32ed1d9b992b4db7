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
/// points to rather than the link itself.
pub fn resolve_link(path: &Path) -> PathBuf {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())
        }
        _ => path.to_owned(),
    }
}

/// Copies `path` to `<path>.<UTC time>.bak` (a number added if that exists: two installs in
/// one second keep both copies); returns the copy's path. The copy keeps the permissions.
pub fn back_up(path: &Path) -> io::Result<PathBuf> {
    let stamp = jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S").to_string();
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let candidates = (0..100).map(|n| match n {
        0 => format!("{name}.{stamp}.bak"),
        n => format!("{name}.{stamp}-{n}.bak"),
    });
    for candidate in candidates {
        let backup = path.with_file_name(candidate);
        if !backup.exists() {
            fs::copy(path, &backup)?;
            return Ok(backup);
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "100 backups from this second already exist",
    ))
}

/// Writes `text` to a temporary file beside `path` and renames it over `path`. The new file
/// takes the old one's permissions; a new file holding a secret is readable by its owner
/// only.
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
    let file = fs::File::create(temp)?;
    match fs::metadata(path) {
        Ok(old) => file.set_permissions(old.permissions())?,
        Err(_) if holds_secret => owner_only(&file)?,
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

/// Windows files in a user's profile are already private to that user.
#[cfg(not(unix))]
fn owner_only(_file: &fs::File) -> io::Result<()> {
    Ok(())
}
