//! The shared nouns of kesu (客诉), and nothing else.
//!
//! Every stage crate speaks in these types: a [`WorkOrder`] is one complaint
//! work order (工单) as exported by the utility, a [`Reject`] is an input row
//! that could not be accepted (kept, never dropped), and [`ComplaintClass`] /
//! [`Substantiation`] are the official classifications of DOMAIN.md.
//!
//! Data flows one way: ingest → normalise → segment → index / cluster →
//! summarise → render. This crate sits under all of them and is kept small and
//! stable, like tantivy's `tokenizer-api`.
//!
//! ```
//! use kesu_model::{ComplaintClass, Field};
//! assert_eq!(ComplaintClass::from_label("停送电"), Some(ComplaintClass::Outage));
//! assert_eq!(Field::from_name("work_order_id"), Some(Field::WorkOrderId));
//! ```

#![warn(missing_docs)]

mod class;
mod order;
mod reject;

pub use class::{ComplaintClass, Substantiation};
pub use order::{Field, Keyed, SourceRef, WorkOrder, WorkOrderId};
pub use reject::{Reject, RejectReason};
