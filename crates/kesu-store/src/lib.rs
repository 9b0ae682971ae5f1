//! Arrow/Parquet tables of kesu, written atomically.
//!
//! kesu's flow is ingest → normalise → segment → index / cluster →
//! summarise → render. This crate stores what the stages hand each other as
//! Parquet files: `orders.parquet` (the normalised work orders, see
//! [`write_orders`] / [`read_orders`]) and any other table a stage builds as an
//! Arrow [`RecordBatch`](arrow::array::RecordBatch) ([`write_parquet_atomic`]).
//!
//! Every write goes to a temporary file in the target directory, is fsynced
//! and then renamed over the final path, so a reader (or a crash) never sees a
//! half-written table: the path holds either the old file or the new one.
//! Tables carry string key-value metadata, such as the analyzer version that
//! produced them ([`read_parquet_metadata`]).
//!
//! ```
//! use chrono::NaiveDate;
//! use kesu_model::WorkOrder;
//! use kesu_normalize::Normalizer;
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("orders.parquet");
//! let n = Normalizer::builtin();
//! let at = NaiveDate::from_ymd_opt(2024, 3, 1)
//!     .and_then(|d| d.and_hms_opt(8, 0, 0))
//!     .ok_or("bad date")?;
//! let order = n.apply(WorkOrder::new("GD1", at, "客户来电，电话13812345678"));
//! kesu_store::write_orders(&path, &[order.clone()], "0123456789abcdef")?;
//!
//! assert_eq!(kesu_store::read_orders(&path, &n)?, vec![order]);
//! let meta = kesu_store::read_parquet_metadata(&path)?;
//! assert_eq!(meta["kesu.table"], "orders");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

mod atomic;
mod orders;

use std::path::PathBuf;

pub use atomic::{read_parquet_metadata, write_atomic, write_parquet_atomic};
pub use orders::{
    META_ANALYZER_VERSION, META_TABLE, ORDERS_TABLE, OrdersSink, ROW_GROUP_ROWS, orders_schema,
    read_orders, write_orders, write_orders_streaming, write_segmented_orders,
};

/// Errors of reading and writing tables; each names the file it concerns.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Creating, writing, syncing or renaming a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The Parquet encoder or decoder failed.
    #[error("{}: {source}", path.display())]
    Parquet {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// Building or decoding an Arrow record batch failed.
    #[error("{}: {source}", path.display())]
    Arrow {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: arrow::error::ArrowError,
    },
    /// The file is not the table it should be (missing column, wrong type, bad value).
    #[error("{}: {message}", path.display())]
    Table {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}

impl From<kesu_atomic::Error> for Error {
    fn from(e: kesu_atomic::Error) -> Self {
        Error::Io {
            path: e.path,
            source: e.source,
        }
    }
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
