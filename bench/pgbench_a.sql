-- Raw-SQL ceiling of scenario (a) of bench/place_orders.py: the SQL a 3-line order needs, with no application.
-- Three conditional stock updates in stock-id order, the order, its three items and its event, one transaction.
--
-- Runs against the benchmark's migrated database; place_orders.py passes these with pgbench -D:
--   stock_lo, stock_hi   ids of the spread SKUs' stock rows (contiguous, stock plentiful)
--   sku_offset           sku_id = stock_id + sku_offset for those rows
--   customer_lo, customer_hi   ids of the bench customers (contiguous)
-- Columns the app must fill that this file does not name (NOT NULL, no default: added to the schema since) are
-- appended at the /*+table columns*/ and /*+table values*/ markers at run time, with the values the app wrote
-- for its first order, so the ceiling keeps doing the app's inserts.
\set s1 random(:stock_lo, :stock_hi - 200)
\set s2 :s1 + random(1, 100)
\set s3 :s2 + random(1, 100)
\set k1 :s1 + :sku_offset
\set k2 :s2 + :sku_offset
\set k3 :s3 + :sku_offset
\set customer random(:customer_lo, :customer_hi)
BEGIN;
UPDATE inventory_stock SET reserved = reserved + 1 WHERE id = :s1 AND on_hand - reserved >= 1;
UPDATE inventory_stock SET reserved = reserved + 1 WHERE id = :s2 AND on_hand - reserved >= 1;
UPDATE inventory_stock SET reserved = reserved + 1 WHERE id = :s3 AND on_hand - reserved >= 1;
INSERT INTO orders_order (order_no, customer_id, status, currency, subtotal, shipping_fee, total_amount,
        shipping_address, idempotency_key, request_fingerprint, created_at, expires_at, updated_at
        /*+orders_order columns*/)
    VALUES (substr(md5(random()::text || clock_timestamp()::text), 1, 20), :customer, 'pending_payment', 'CNY',
        30.00, 10.00, 40.00,
        '{"name": "Bench Buyer", "phone": "13800000000", "province": "Shanghai", "city": "Shanghai", "district": "Pudong", "address": "1 Century Avenue", "postal_code": "200120"}',
        md5(random()::text || clock_timestamp()::text), md5(random()::text) || md5(random()::text),
        now(), now() + interval '30 minutes', now() /*+orders_order values*/)
    RETURNING id AS order_id \gset
INSERT INTO orders_orderitem (order_id, sku_id, sku_code, name, unit_price, quantity, line_total
        /*+orders_orderitem columns*/)
    VALUES (:order_id, :k1, 'BENCH-CEILING', 'Bench item', 10.00, 1, 10.00 /*+orders_orderitem values*/);
INSERT INTO orders_orderitem (order_id, sku_id, sku_code, name, unit_price, quantity, line_total
        /*+orders_orderitem columns*/)
    VALUES (:order_id, :k2, 'BENCH-CEILING', 'Bench item', 10.00, 1, 10.00 /*+orders_orderitem values*/);
INSERT INTO orders_orderitem (order_id, sku_id, sku_code, name, unit_price, quantity, line_total
        /*+orders_orderitem columns*/)
    VALUES (:order_id, :k3, 'BENCH-CEILING', 'Bench item', 10.00, 1, 10.00 /*+orders_orderitem values*/);
INSERT INTO orders_orderevent (order_id, from_status, to_status, actor_id, reason, created_at
        /*+orders_orderevent columns*/)
    VALUES (:order_id, '', 'pending_payment', :customer, 'Order placed', now() /*+orders_orderevent values*/);
COMMIT;
