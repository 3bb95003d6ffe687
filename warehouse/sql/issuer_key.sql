-- issuer_key(issuer, region, doc_id): whose figure a statement is, for putting
-- figures in one series: the issuer, else the region, else the document itself
-- (figures of a text whose issuer and region are unknown are never put in one
-- series with another text's).
CREATE OR REPLACE MACRO issuer_key(issuer, region, doc_id) AS coalesce(issuer, region, 'document ' || doc_id);
