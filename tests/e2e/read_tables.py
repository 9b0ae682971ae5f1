"""Reads a kesu state's week-partitioned tables as one dataset each, with
pyarrow (partitioning="hive") and DuckDB (hive_partitioning = true), and
prints what the e2e test checks as one JSON object. Usage: read_tables.py STATE
"""
import json
import sys

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds

state = sys.argv[1]
out = {"pyarrow": {}, "duckdb": {}}
for table in ["assignments", "causes", "alerts", "kpis", "rejects"]:
    d = ds.dataset(f"{state}/tables/{table}", format="parquet", partitioning="hive")
    t = d.to_table()
    out["pyarrow"][table] = {
        "rows": t.num_rows,
        "weeks": len(set(t.column("week").to_pylist())),
        "types": {f.name: str(f.type) for f in t.schema},
    }
    n = duckdb.sql(
        f"select count(*) from read_parquet('{state}/tables/{table}/*/*.parquet', hive_partitioning = true)"
    ).fetchall()[0][0]
    out["duckdb"][table] = n

causes = ds.dataset(f"{state}/tables/causes", format="parquet", partitioning="hive").to_table()
out["nested"] = {
    "top_terms": pa.types.is_list(causes.schema.field("top_terms").type)
    and pa.types.is_struct(causes.schema.field("top_terms").type.value_type),
    "unit_orders": pa.types.is_map(causes.schema.field("unit_orders").type),
    "typical": pa.types.is_struct(causes.schema.field("typical").type.value_type),
}
# The README's query: weekly totals of all units with their change.
rows = duckdb.sql(
    f"""
    select week, orders, week_on_week, repeat_rate, class_mix['停送电'] as outage_share
    from read_parquet('{state}/tables/kpis/*/*.parquet', hive_partitioning = true)
    where unit is null
    order by week
    """
).fetchall()
out["kpi_weeks"] = [r[0] for r in rows]
out["kpi_orders"] = sum(r[1] for r in rows)
out["duckdb_types"] = {
    r[0]: r[1]
    for r in duckdb.sql(
        f"describe select unit_orders, class_share, typical from read_parquet('{state}/tables/causes/*/*.parquet', hive_partitioning = true)"
    ).fetchall()
}
print(json.dumps(out, ensure_ascii=False))
