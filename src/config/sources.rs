//! Where configuration and data live: the platform directories (XDG on Linux), the files that
//! exist, and the data directory a run uses.

use super::{ConfigError, Env, Loaded};
use std::path::{Path, PathBuf};

/// The layers to load: the user's file (if it exists), a `--config` file, and the environment.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub user_file: Option<PathBuf>,
    pub cli_file: Option<PathBuf>,
    pub env: Env,
}

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "tickdesk")
}

impl Sources {
    /// The platform's user config file (`~/.config/tickdesk/config.toml` on Linux), whether or not
    /// it exists.
    pub fn user_file_path() -> Option<PathBuf> {
        project_dirs().map(|d| d.config_dir().join("config.toml"))
    }

    pub fn new(cli_file: Option<PathBuf>, env: Env) -> Self {
        Self {
            user_file: Self::user_file_path(),
            cli_file,
            env,
        }
    }

    /// The files to read, lowest precedence first. The user file is optional; `--config` is not.
    pub fn files(&self) -> Vec<PathBuf> {
        let user = self.user_file.iter().filter(|p| p.exists()).cloned();
        user.chain(self.cli_file.iter().cloned()).collect()
    }
}

impl Loaded {
    /// The data directory: `--data-dir`, else `data.dir`, else the platform data directory.
    pub fn data_dir(&self, cli: Option<&Path>) -> Result<PathBuf, ConfigError> {
        if let Some(dir) = cli {
            return Ok(dir.to_path_buf());
        }
        let configured = self.config.data.dir.trim();
        if configured.is_empty() {
            return project_dirs().map(|d| d.data_dir().to_path_buf()).ok_or_else(|| {
                ConfigError::Invalid(
                    "cannot find a home directory for the default data directory; set data.dir or pass --data-dir".into(),
                )
            });
        }
        Ok(expand_home(configured))
    }
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), directories::BaseDirs::new()) {
        (Some(rest), Some(base)) => base.home_dir().join(rest),
        _ => PathBuf::from(path),
    }
}
