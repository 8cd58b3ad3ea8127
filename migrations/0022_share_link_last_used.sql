-- Read-only share links (issue 18 item 5, decision 0018): when a link was last used, for the administrator
-- deciding whether to revoke it. share_links is a local table (like sessions): written from the request
-- that uses the link, at most once a minute per link.
ALTER TABLE share_links ADD COLUMN last_used_at timestamptz;
