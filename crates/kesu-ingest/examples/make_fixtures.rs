//! Regenerates the hand-made ingest fixtures in `fixtures/ingest/`:
//! `malformed.csv` (+ `malformed.expected.csv`), `gb18030.csv` and `export.xlsx`.
//!
//! `cargo run -p kesu-ingest --example make_fixtures` (deterministic output; all
//! names, phones and addresses are invented).

use std::path::Path;

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const HEADER: &str =
    "工单编号,受理时间,受理渠道,供电单位,客户名称,联系电话,受理内容,归档时间,派单部门\n";

/// Rows of malformed.csv: the bytes, and for defects the reason substring
/// `kesu ingest` must report on the line where the row starts.
fn malformed_rows() -> Vec<(Vec<u8>, Option<&'static str>)> {
    let s = |t: &str| t.as_bytes().to_vec();
    let gbk_row = {
        let (bytes, _, _) = encoding_rs::GB18030
            .encode("GD2403000011,2024-03-02 10:00,95598,城西供电所,赵六,13800000011,客户来电反映电费突然增加,,营销部\n");
        bytes.into_owned()
    };
    vec![
        (
            s(
                "GD2403000001,2024-03-01 08:30:00,95598,城区供电服务中心,张三,13800000001,客户来电反映家中停电未收到通知，要求尽快恢复供电,2024-03-01 12:00,运检部\n",
            ),
            None,
        ),
        (
            s(
                "GD2403000002,2024/3/1 9:05:10,网上国网,城东供电所,李四,13800000002,\"客户来电反映：\n抄表员多次未上门，\"\"估抄\"\"电量，要求核实\",2024-03-02,营销部\n",
            ),
            None,
        ),
        (
            s("GD2403000003,2024-03-01,95598,城区供电服务中心,王五,13800000003,少了后面的字段\n"),
            Some("wrong field count: expected 9, found 7"),
        ),
        (
            s(
                "GD2403000004,2024-03-01 10:00,95598,城区供电服务中心,王五,13800000004,客户反映电压低,灯泡发暗,2024-03-03,运检部\n",
            ),
            Some("wrong field count: expected 9, found 10"),
        ),
        (
            s(
                "GD2403000005,2024-02-30 10:00,95598,城南供电所,孙七,13800000005,日期不存在的工单,,营销部\n",
            ),
            Some("2024-02-30 10:00"),
        ),
        (
            s(
                "GD2403000006,2024-03-01 25:61,95598,城南供电所,孙七,13800000006,时间不存在的工单,,营销部\n",
            ),
            Some("2024-03-01 25:61"),
        ),
        (
            s(
                "GD2403000007,明天上午,95598,城南供电所,周八,13800000007,受理时间被写成了文字,,营销部\n",
            ),
            Some("明天上午"),
        ),
        (
            s(
                "GD2403000008,2023-02-29 09:00,95598,城南供电所,周八,13800000008,非闰年的2月29日,,营销部\n",
            ),
            Some("2023-02-29 09:00"),
        ),
        (
            s("GD2403000009,2024-03-01 11:00,营业厅,城北供电所,吴九,13800000009,   ,,营销部\n"),
            Some("empty or whitespace-only text"),
        ),
        (
            s(",2024-03-01 11:30,95598,城北供电所,郑十,13800000010,工单编号为空,,营销部\n"),
            Some("missing required field work_order_id"),
        ),
        (
            s("GD2403000010,,95598,城北供电所,郑十,13800000010,受理时间为空,,营销部\n"),
            Some("missing required field received_at"),
        ),
        (gbk_row, Some("undecodable bytes for encoding utf-8")),
        (
            [
                &b"GD2403000012,2024-03-02 11:00,95598,\xe5\x9f\x8e\x00,x,13800000012,"[..],
                "含有空字节的行,,营销部\n".as_bytes(),
            ]
            .concat(),
            Some("NUL byte"),
        ),
        (
            s(
                "GD2403000013,2024-03-02 12:00,95598,城区供电服务中心,钱一,13800000013,归档时间不存在,2024-13-45,营销部\n",
            ),
            Some("2024-13-45"),
        ),
        (
            s(
                "GD2403000014,2024年3月2日 14时20分,微信,城区供电服务中心,钱二,13800000014,客户来电反映路灯不亮，要求维修,2024年3月3日,运检部\n",
            ),
            None,
        ),
        (s(",,,,,,,,\n"), None),
        (
            s(
                "GD2403000001,2024-03-03 08:00,95598,城区供电服务中心,张三,13800000001,重复工单：客户再次来电反映停电未通知,2024-03-03 18:00,运检部\n",
            ),
            None,
        ),
        (
            s(
                "GD2403000015,20240302153000,95598,城西供电所,钱三,13800000015,客户反映表计箱门损坏,2024-03-04T09:00:00,计量中心\n",
            ),
            None,
        ),
        (
            s(
                "GD2403000016,2024-03-02 16:00,95598,城西供电所,钱四,13800000016,\"客户来电反映引号没有闭合，之后的内容全部被吞掉,,营销部\nGD2403000017,2024-03-02 17:00,95598,城西供电所,钱五,13800000017,这一行属于上一条未闭合的记录,,营销部\n",
            ),
            Some("unterminated quoted field"),
        ),
    ]
}

fn write_malformed(dir: &Path) {
    let mut csv = HEADER.as_bytes().to_vec();
    let mut expected = String::from("line,reason\n");
    let mut line = 2;
    for (row, reason) in malformed_rows() {
        if let Some(reason) = reason {
            expected.push_str(&format!("{line},\"{}\"\n", reason.replace('"', "\"\"")));
        }
        line += row.iter().filter(|&&b| b == b'\n').count();
        csv.extend_from_slice(&row);
    }
    std::fs::write(dir.join("malformed.csv"), csv).unwrap();
    std::fs::write(dir.join("malformed.expected.csv"), expected).unwrap();
}

const UNITS: [&str; 4] = [
    "城区供电服务中心",
    "城东供电所",
    "城西供电所",
    "开发区供电所",
];
const COMPLAINTS: [&str; 10] = [
    "客户来电反映小区昨晚突然停电，事先未收到任何停电通知，要求说明原因并尽快恢复供电",
    "客户来电反映本月电费比上月高出一倍，怀疑电表计量不准，要求上门校验电表",
    "客户来电反映家中电压偏低，空调无法启动，已持续三天，要求尽快处理",
    "客户来电反映营业厅工作人员态度生硬，办理过户业务时被多次推诿，要求道歉",
    "客户来电反映申请新装用电已超过二十天仍未接电，多个部门相互推诿，要求加快办理",
    "客户来电反映抢修人员到达现场时间过长，停电六小时才恢复，要求给予解释",
    "客户来电反映门前新架设的线路离窗户太近，存在安全隐患，要求整改",
    "客户来电反映拨打95598后只被告知已转派，至今无人联系，要求回复处理进度",
    "客户来电反映小区配电房属于物业产权，物业不维修，要求供电公司处理",
    "客户来电反映不理解阶梯电价政策，认为多收了电费，要求解释",
];

fn write_gb18030(dir: &Path) {
    let mut text = String::from(
        "工单编号,受理时间,受理渠道,供电单位,客户名称,联系电话,用电地址,受理内容,是否属实,处理意见\n",
    );
    for i in 0..20u32 {
        let phone = format!("139{:08}", 51_000_000 + i * 7_919);
        let body = COMPLAINTS[i as usize % COMPLAINTS.len()];
        let text_with_phone = if i % 3 == 0 {
            format!("{body}，回电号码{phone}")
        } else {
            body.to_owned()
        };
        text.push_str(&format!(
            "GB24030{:05},2024-03-{:02} {:02}:{:02}:00,95598,{},客户{},{},幸福路{}号{}单元,{},{},已联系客户并安排处理\n",
            i + 1,
            1 + i % 28,
            8 + i % 10,
            (i * 7) % 60,
            UNITS[i as usize % UNITS.len()],
            ["甲", "乙", "丙", "丁", "戊"][i as usize % 5],
            phone,
            10 + i,
            1 + i % 4,
            text_with_phone,
            if i % 2 == 0 { "属实" } else { "不属实" },
        ));
    }
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    std::fs::write(dir.join("gb18030.csv"), bytes).unwrap();
}

fn write_xlsx(dir: &Path) {
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let ws = wb.add_worksheet();
    ws.set_name("工单明细").unwrap();
    ws.write_string(0, 0, "2024年3月投诉工单导出（测试数据）")
        .unwrap();
    let headers = [
        "工单编号",
        "受理时间",
        "受理渠道",
        "供电单位",
        "联系电话",
        "受理内容",
        "归档时间",
        "派单部门",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    for i in 0..12u32 {
        let row = 2 + i;
        ws.write_number(row, 0, 2_024_030_100_001.0 + f64::from(i))
            .unwrap();
        let day = 1 + (i % 9) as u8;
        let when = ExcelDateTime::from_ymd(2024, 3, day)
            .unwrap()
            .and_hms(9 + (i % 8) as u16, 15, 0)
            .unwrap();
        if i % 4 == 3 {
            // Some systems export the date as text.
            ws.write_string(row, 1, format!("2024/3/{day} {}:15:00", 9 + i % 8))
                .unwrap();
        } else {
            ws.write_datetime_with_format(row, 1, &when, &date).unwrap();
        }
        ws.write_string(row, 2, ["95598", "网上国网", "营业厅"][i as usize % 3])
            .unwrap();
        ws.write_string(row, 3, UNITS[i as usize % UNITS.len()])
            .unwrap();
        let phone = 13_700_000_000.0 + f64::from(i) * 1_234.0;
        ws.write_number(row, 4, phone).unwrap();
        let body = COMPLAINTS[(i as usize + 3) % COMPLAINTS.len()];
        let body = if i % 2 == 0 {
            format!("{body}，联系电话{phone}")
        } else {
            body.to_owned()
        };
        ws.write_string(row, 5, &body).unwrap();
        let closed = ExcelDateTime::from_ymd(2024, 3, day + 2)
            .unwrap()
            .and_hms(17, 0, 0)
            .unwrap();
        ws.write_datetime_with_format(row, 6, &closed, &date)
            .unwrap();
        ws.write_string(row, 7, ["运检部", "营销部", "客服中心"][i as usize % 3])
            .unwrap();
    }
    wb.save(dir.join("export.xlsx")).unwrap();
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ingest");
    std::fs::create_dir_all(&dir).unwrap();
    write_malformed(&dir);
    write_gb18030(&dir);
    write_xlsx(&dir);
}
