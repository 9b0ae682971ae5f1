"""Scores a `kesu run` state against kesu-synth's truth columns (DuckDB).

Usage: python3 reports/bench/weekly_eval.py STATE TRUTH.csv

- stability: for each true root cause, the share of its weeks in which the key most of its
  orders got is the key it got most often over all weeks (mean over causes, and the worst);
- planted spikes (truth column `spike`): for each (unit, week) with planted orders, whether an
  `alert` was raised in that unit on the key most of the planted orders got;
- all-units alerts per 26 weeks, by method, each with whether planted orders explain it.
"""
import json
import sys

import duckdb

state, truth = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.sql(f"create view a as select * from read_parquet('{state}/tables/assignments/*/*.parquet', hive_partitioning = true)")
con.sql(f"create view al as select * from read_parquet('{state}/tables/alerts/*/*.parquet', hive_partitioning = true)")
cols = [r[0] for r in con.sql(f"describe select * from read_csv('{truth}', all_varchar = true)").fetchall()]
spike = "coalesce(spike, 'false')" if "spike" in cols else "'false'"
con.sql(f"""create view t as select 工单编号 as id, true_root_cause as cause, 供电单位 as unit,
    {spike} in ('true', '1') as planted from read_csv('{truth}', all_varchar = true)""")
con.sql("""create view wk as
  select cause, week, arg_max(cause_key, n) as key from (
    select t.cause, a.week, a.cause_key, count(*) as n from a join t on a.work_order_id = t.id
    group by all) group by cause, week""")
con.sql("create view modal as select cause, mode(key) as key from wk group by cause")
per_cause = con.sql("""select wk.cause, avg((wk.key = modal.key)::int) as kept, count(*) as weeks
  from wk join modal using (cause) group by wk.cause order by kept""").fetchall()
weeks = con.sql("select count(distinct week) from a").fetchall()[0][0]
out = {
    "weeks": weeks,
    "orders": con.sql("select count(*) from a").fetchall()[0][0],
    "true_causes": len(per_cause),
    "stability_mean": sum(r[1] for r in per_cause) / max(1, len(per_cause)),
    "stability_worst": per_cause[:5],
}
planted = con.sql("""
  select unit, week, arg_max(cause_key, n) as key, sum(n) as planted from (
    select t.unit, a.week, a.cause_key, count(*) as n from a join t on a.work_order_id = t.id
    where t.planted group by all) group by unit, week order by week, unit""").fetchall()
spikes = []
for unit, week, key, n in planted:
    hit = con.sql(f"""select level, observed, round(expected, 1), method from al
        where week = '{week}' and cause_key = '{key}' and unit = '{unit}'""").fetchall()
    spikes.append({"unit": unit, "week": week, "key": key, "planted": n,
                   "alert": [h for h in hit]})
out["planted_spike_weeks"] = len(spikes)
out["planted_spike_weeks_alerted"] = sum(1 for s in spikes if any(h[0] == "alert" for h in s["alert"]))
out["spikes"] = spikes
overall = con.sql("""select al.week, al.cause_key, al.cause_label, al.level, al.method, al.observed,
    round(al.expected, 1),
    (select count(*) from a join t on a.work_order_id = t.id
       where a.week = al.week and a.cause_key = al.cause_key and t.planted) as planted
  from al where al.unit is null order by al.week""").fetchall()
out["all_units_alerts"] = [r for r in overall if r[3] == "alert"]
out["all_units_alerts_per_26_weeks"] = round(len(out["all_units_alerts"]) * 26 / max(1, weeks), 2)
out["all_units_alerts_unexplained_per_26_weeks"] = round(
    sum(1 for r in out["all_units_alerts"] if r[7] == 0) * 26 / max(1, weeks), 2)
print(json.dumps(out, ensure_ascii=False, indent=1, default=str))
