-- Raw-SQL ceiling of scenario (b) of bench/place_orders.py: everyone reserves one unit of the same stock row.
-- place_orders.py passes :hot, the id of a stock row of its own (not the app's hot SKU) with plentiful stock.
UPDATE inventory_stock SET reserved = reserved + 1 WHERE id = :hot AND on_hand - reserved >= 1;
