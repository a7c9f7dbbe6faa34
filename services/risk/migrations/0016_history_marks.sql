-- A vendor's state kept at points of its history (services/risk/storage/history_marks.py), so
-- reading a page of `riskHistory` folds the events from the nearest kept state at or before
-- the page, not from the vendor's first event: a page deep in a long history cost what the
-- history weighs.
--
-- A mark is the state after the vendor's `entry`-th history entry (every 32nd: the same
-- entries whoever wrote them, the live consumer or a rebuild), at its event's `seq`; the rest
-- of the state, as `risk_vendor_states` keeps it for the current one (its horizon, the
-- digests). Nothing is written for the histories recorded before this migration until their
-- next 32nd entry; `vendorwatch rebuild risk` writes them all.
CREATE TABLE risk_history_marks (
    vendor_id text NOT NULL,
    entry     integer NOT NULL,
    seq       bigint NOT NULL,
    horizon   date NOT NULL,
    digests   jsonb NOT NULL,
    PRIMARY KEY (vendor_id, entry)
);
CREATE UNIQUE INDEX risk_history_marks_seq ON risk_history_marks (vendor_id, seq);

-- The marks' items, as `risk_vendor_items` keeps the current state's: a row per item changed
-- since the vendor's mark before (the first mark: every item), not the whole record at every
-- mark. An item stands at a mark as its row of the latest `entry` at or before the mark's.
CREATE TABLE risk_history_items (
    vendor_id  text NOT NULL,
    item       text NOT NULL,
    entry      integer NOT NULL,
    fact       jsonb,
    horizon    date,
    terminated boolean NOT NULL,
    PRIMARY KEY (vendor_id, item, entry)
);
