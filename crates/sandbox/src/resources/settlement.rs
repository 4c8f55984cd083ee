//! Where the money of a captured charge goes (FIDELITY.md §Money movement). The charge's account is
//! credited (pending for two days, or at once for 4000 0000 0000 0077). Then:
//!
//! - **Direct charge** (made on a connected account with `Stripe-Account`) with
//!   `application_fee_amount`: the fee (`fee_…`) moves from the connected account to the
//!   platform.
//! - **Destination charge** (`transfer_data[destination]`, made on the platform): a transfer
//!   (`tr_…`) moves `transfer_data[amount]` (or the whole amount) less any
//!   `application_fee_amount` to the destination, where it lands as a payment (`py_…`); the
//!   fee is recorded as an application fee taken from the destination.
//!
//! Processing fees are not modelled: balances hold gross amounts (see the README).

use super::application_fee::ApplicationFee;
use super::balance::{Booking, PENDING_SECONDS};
use super::transfer::NewTransfer;
use crate::events::Origin;
use crate::state::Store;

impl Store {
    /// The id of the application fee of `charge`: the one it has, or one made now and kept on
    /// the charge, so that its balance transaction and the fee object share it.
    fn fee_id(&mut self, charge: &super::charge::Charge) -> String {
        if let Some(id) = self
            .charges
            .get(&charge.id)
            .and_then(|c| c.application_fee.clone())
        {
            return id;
        }
        let id = self.new_id("fee_", 24);
        if let Some(c) = self.charges.get_mut(&charge.id) {
            c.application_fee = Some(id.clone());
        }
        id
    }

    /// Books the captured amount of charge `id` and makes its fee and transfer.
    pub(crate) fn settle_capture(&mut self, id: &str, origin: &Origin, now: i64) {
        let Some(charge) = self.charges.get(id).cloned() else {
            return;
        };
        let captured = charge.amount_captured;
        if captured <= 0 {
            return;
        }
        let available_on = if charge.available_at_once() {
            now
        } else {
            now + PENDING_SECONDS
        };
        let platform = self.platform_id.clone();
        let txn = self.book(Booking {
            account: &charge.account,
            currency: &charge.currency,
            amount: captured,
            available_on,
            source: &charge.id,
            kind: "charge",
            now,
        });
        if let Some(c) = self.charges.get_mut(&charge.id) {
            c.balance_transaction = txn;
        }
        let fee = charge
            .application_fee_amount
            .unwrap_or(0)
            .clamp(0, captured);
        let destination = charge.transfer_data.as_ref().and_then(|t| {
            let destination = t.get("destination")?.as_str()?.to_owned();
            let amount = t.get("amount").and_then(serde_json::Value::as_i64);
            Some((destination, amount))
        });
        let fee_account = match &destination {
            Some((destination, amount)) => {
                let amount = amount.unwrap_or(captured).min(captured);
                let transfer = self.make_transfer(
                    NewTransfer {
                        amount: (amount - fee).max(0),
                        currency: &charge.currency,
                        destination,
                        source_transaction: Some(&charge.id),
                        transfer_group: charge.transfer_group.as_deref(),
                        description: None,
                        metadata: Default::default(),
                        available_on,
                    },
                    origin,
                    now,
                );
                if let Some(c) = self.charges.get_mut(&charge.id) {
                    c.transfer = Some(transfer.id);
                }
                destination.clone()
            }
            None => {
                if charge.account != platform && fee > 0 {
                    self.charge_fee(&charge.account, &charge.id, fee);
                    let fee_id = self.fee_id(&charge);
                    self.book(Booking {
                        account: &platform,
                        currency: &charge.currency,
                        amount: fee,
                        available_on,
                        source: &fee_id,
                        kind: "application_fee",
                        now,
                    });
                }
                charge.account.clone()
            }
        };
        if fee > 0 && fee_account != platform {
            let fee_id = self.fee_id(&charge);
            let object = ApplicationFee {
                id: fee_id.clone(),
                account: fee_account,
                amount: fee,
                currency: charge.currency.clone(),
                charge: charge.id.clone(),
                refunds: Vec::new(),
                created: now,
                seq: self.next_seq(),
            };
            self.emit(
                &platform,
                "application_fee.created",
                object.to_json(&platform),
                None,
                origin,
                now,
            );
            self.application_fees.insert(fee_id.clone(), object);
            if let Some(c) = self.charges.get_mut(&charge.id) {
                c.application_fee = Some(fee_id);
                c.application_fee_amount = Some(fee);
            }
        }
    }
}
