-- The audit trail: the events people recorded through the API (they carry recorded_by),
-- newest first, without scanning the whole log.
CREATE INDEX event_store_recorded_by ON event_store (position DESC)
    WHERE envelope ? 'recorded_by';
CREATE INDEX event_store_recorded_by_subject
    ON event_store ((envelope -> 'recorded_by' ->> 'subject'), position DESC)
    WHERE envelope ? 'recorded_by';
