//! The root-cause catalogue: what really went wrong behind each synthetic
//! complaint, drawn from DOMAIN.md (papers 000–004).
//!
//! Every cause carries the ground truth the analysis should recover (official
//! class, substantiation quadrant, management gap) and several operator-style
//! phrasings. Causes deliberately share vocabulary (停电, 电费, 电表 …) so that
//! clustering has to separate them by what differs, as with real exports.
//!
//! Template slots: `{loc}` place, `{when}` time phrase, `{n}` count, `{h}`
//! hours, `{d}` days, `{m}` yuan, `{k}` kWh, `{v}` volts, `{mon}` billing
//! period, `{staff}` a member of staff, `{hall}` the unit's service counter.

use kesu_model::{ComplaintClass, Substantiation};

/// A management gap (管理漏洞) named in the papers, or a grid-side defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Gap {
    /// 服务理念缺失、态度生硬、程式化答复 (000, 001, 004).
    Attitude,
    /// 服务能力不足、业务差错 (000, 001).
    Skill,
    /// 客服沦为投诉中介、只会转接 (000).
    HotlineForwarding,
    /// 内部分工不明、部门协调不力、相互推诿 (001, 004).
    BuckPassing,
    /// 信息发布不及时 (001).
    LateNotice,
    /// 事故处理/抢修时间过长 (001).
    SlowRepair,
    /// 责任制缺失 (001).
    NoAccountability,
    /// 后续服务不到位 (001).
    NoFollowUp,
    /// 投诉处理力度不够、答复不及时 (000).
    SlowHandling,
    /// 宣传不到位 (002).
    Publicity,
    /// 产权界限不清 (002).
    PropertyUnclear,
    /// 交接班遗漏 (003).
    Handover,
    /// 设备运维不到位、电网薄弱: the grid itself.
    GridMaintenance,
    /// 施工管理不规范: construction crews and contractors.
    ConstructionManagement,
}

impl Gap {
    /// Every gap, in declaration order.
    pub const ALL: [Gap; 14] = [
        Gap::Attitude,
        Gap::Skill,
        Gap::HotlineForwarding,
        Gap::BuckPassing,
        Gap::LateNotice,
        Gap::SlowRepair,
        Gap::NoAccountability,
        Gap::NoFollowUp,
        Gap::SlowHandling,
        Gap::Publicity,
        Gap::PropertyUnclear,
        Gap::Handover,
        Gap::GridMaintenance,
        Gap::ConstructionManagement,
    ];

    /// Stable machine id, written to the `true_gap` column.
    pub fn id(self) -> &'static str {
        match self {
            Gap::Attitude => "attitude",
            Gap::Skill => "skill",
            Gap::HotlineForwarding => "hotline_forwarding",
            Gap::BuckPassing => "buck_passing",
            Gap::LateNotice => "late_notice",
            Gap::SlowRepair => "slow_repair",
            Gap::NoAccountability => "no_accountability",
            Gap::NoFollowUp => "no_follow_up",
            Gap::SlowHandling => "slow_handling",
            Gap::Publicity => "publicity",
            Gap::PropertyUnclear => "property_unclear",
            Gap::Handover => "handover",
            Gap::GridMaintenance => "grid_maintenance",
            Gap::ConstructionManagement => "construction_management",
        }
    }

    /// The papers' wording.
    pub fn label(self) -> &'static str {
        match self {
            Gap::Attitude => "服务理念缺失、态度生硬",
            Gap::Skill => "服务能力不足、业务差错",
            Gap::HotlineForwarding => "客服只会转接",
            Gap::BuckPassing => "分工不明、相互推诿",
            Gap::LateNotice => "信息发布不及时",
            Gap::SlowRepair => "抢修时间过长",
            Gap::NoAccountability => "责任制缺失",
            Gap::NoFollowUp => "后续服务不到位",
            Gap::SlowHandling => "投诉答复不及时",
            Gap::Publicity => "宣传不到位",
            Gap::PropertyUnclear => "产权界限不清",
            Gap::Handover => "交接班遗漏",
            Gap::GridMaintenance => "设备运维不到位",
            Gap::ConstructionManagement => "施工管理不规范",
        }
    }

    /// The gap for a `true_gap` id.
    pub fn from_id(id: &str) -> Option<Gap> {
        Gap::ALL.into_iter().find(|g| g.id() == id)
    }
}

/// Which customers a cause mostly comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Households mostly.
    Residential,
    /// Businesses, 大客户 and VIP more often than usual.
    Commercial,
}

/// One root cause with its truth and its phrasings.
#[derive(Debug)]
pub struct RootCause {
    /// Stable id written to `true_root_cause` (e.g. `outage_no_notice`).
    pub id: &'static str,
    /// Short Chinese name (计划停电未提前通知).
    pub name: &'static str,
    /// True official class.
    pub class: ComplaintClass,
    /// True substantiation quadrant.
    pub quadrant: Substantiation,
    /// The management gap behind it.
    pub gap: Gap,
    /// 二级分类 as an operator would enter it.
    pub subcategory: &'static str,
    /// More frequent in county (rural) units: weak rural grids.
    pub rural: bool,
    /// Mostly residential or mostly commercial customers.
    pub audience: Audience,
    /// Core complaint phrasings with slots.
    pub templates: &'static [&'static str],
    /// What the customer asks for (follows 要求).
    pub demands: &'static [&'static str],
}

use Audience::{Commercial, Residential};
use ComplaintClass::{Business, GridConstruction, Outage, PowerQuality, SupplyService};
use Substantiation::{ManagementDefect, Misunderstanding, NonUtilityProperty, ServiceBehaviour};

/// The catalogue, ordered by descending base frequency (rank 1 is the most
/// common cause; frequencies fall off Zipf-like with the rank).
pub static CATALOGUE: &[RootCause] = &[
    RootCause {
        id: "frequent_outage",
        name: "频繁停电",
        class: PowerQuality,
        quadrant: ManagementDefect,
        gap: Gap::GridMaintenance,
        subcategory: "供电可靠性",
        rural: true,
        audience: Residential,
        templates: &[
            "{loc}近期频繁停电，{mon}已经停了{n}次，每次停一两个小时",
            "{loc}经常无故停电，一周内停电{n}次，严重影响正常生活",
            "{when}{loc}又停电了，这个月已经是第{n}次，家里冰箱的东西都坏了",
            "所在{loc}三天两头停电，电器反复断电重启，已经停电{n}次",
            "{loc}线路老化，稍微刮风下雨就停电，{mon}累计停电{n}次",
        ],
        demands: &[
            "彻底解决频繁停电问题",
            "尽快对线路进行改造",
            "给出停电原因和整改时间",
        ],
    },
    RootCause {
        id: "bill_high_misunderstanding",
        name: "电费突增质疑（实际用电增加）",
        class: Business,
        quadrant: Misunderstanding,
        gap: Gap::Publicity,
        subcategory: "电费电价",
        rural: false,
        audience: Residential,
        templates: &[
            "{mon}电费{m}元，比平时高出很多，认为电费计算有问题",
            "家中只有两位老人居住，{mon}电费却交了{m}元，怀疑电费多收",
            "{mon}用电{k}度，电费明显偏高，家里没有添置大功率电器",
            "收到电费通知单显示{mon}电费{m}元，比去年同期翻了一倍，对电费有异议",
        ],
        demands: &["核实电费", "给予合理解释", "退还多收的电费"],
    },
    RootCause {
        id: "slow_repair",
        name: "故障抢修到达慢",
        class: Outage,
        quadrant: ManagementDefect,
        gap: Gap::SlowRepair,
        subcategory: "故障抢修",
        rural: true,
        audience: Residential,
        templates: &[
            "{when}{loc}停电后拨打95598报修，等了{h}个小时抢修人员才到现场",
            "{loc}故障停电报修后抢修人员迟迟不到，停电{h}个小时无人处理",
            "报修后抢修人员承诺一小时内到达，实际{h}个小时后才到，期间多次催促无果",
            "{loc}变压器跳闸停电，报修{n}次抢修人员都没有来，抢修太慢",
        ],
        demands: &["尽快派人抢修", "加快抢修速度", "对抢修不及时给予解释"],
    },
    RootCause {
        id: "outage_no_notice",
        name: "计划停电未提前通知",
        class: Outage,
        quadrant: ManagementDefect,
        gap: Gap::LateNotice,
        subcategory: "停电信息发布",
        rural: false,
        audience: Residential,
        templates: &[
            "{when}{loc}突然停电，事先没有接到任何停电通知",
            "{loc}计划停电没有提前通知，也没有张贴停电公告，造成很大不便",
            "{loc}停电检修未提前告知，家中正在使用的电脑等设备受损",
            "供电公司计划停电没有提前通知客户，{loc}的商户都不知道要停电，造成经济损失",
            "{when}停电前没有收到短信通知，小区也没有贴停电告示",
        ],
        demands: &["以后停电提前通知", "说明停电原因", "给予合理解释并赔偿损失"],
    },
    RootCause {
        id: "low_voltage",
        name: "低电压",
        class: PowerQuality,
        quadrant: ManagementDefect,
        gap: Gap::GridMaintenance,
        subcategory: "电压质量",
        rural: true,
        audience: Residential,
        templates: &[
            "{loc}电压长期偏低，晚上只有{v}伏左右，空调、水泵都无法启动",
            "{loc}用电高峰时电压低，灯光昏暗，电饭煲煮不熟饭",
            "家中电压不足，测量只有{v}伏，冰箱无法正常工作",
            "{loc}末端电压低，{mon}以来一直如此，多次反映未解决",
        ],
        demands: &[
            "尽快解决低电压问题",
            "对台区进行增容改造",
            "派人上门测量电压",
        ],
    },
    RootCause {
        id: "hotline_forwarding",
        name: "95598只会转接、无法解决问题",
        class: SupplyService,
        quadrant: ServiceBehaviour,
        gap: Gap::HotlineForwarding,
        subcategory: "服务渠道",
        rural: false,
        audience: Residential,
        templates: &[
            "多次拨打95598，客服只会记录转接，说会让当地供电所联系，但问题一直没人解决",
            "致电95598咨询停电原因，客服一问三不知，只说已转相关部门处理",
            "95598客服一直转接，打了{n}次电话都是让等待回复，没有任何实质答复",
            "客服人员答复千篇一律，只会说已经记录，转给基层单位，客户认为客服就是传话筒",
        ],
        demands: &[
            "有人真正负责解决问题",
            "给出明确答复",
            "提高客服解决问题的能力",
        ],
    },
    RootCause {
        id: "counter_attitude",
        name: "营业厅服务态度差",
        class: SupplyService,
        quadrant: ServiceBehaviour,
        gap: Gap::Attitude,
        subcategory: "服务态度",
        rural: false,
        audience: Residential,
        templates: &[
            "{when}到{hall}办理业务，{staff}态度生硬，爱答不理",
            "在{hall}咨询电费问题时，{staff}不耐烦，语气很冲，还让客户自己去网上查",
            "{hall}窗口{staff}边玩手机边办业务，对客户提问不予理睬",
            "到{hall}办理过户，{staff}态度恶劣，说话难听，脸难看门难进",
        ],
        demands: &["对该工作人员进行批评教育", "工作人员道歉", "改进服务态度"],
    },
    RootCause {
        id: "slow_restore",
        name: "停电后复电慢",
        class: Outage,
        quadrant: ManagementDefect,
        gap: Gap::SlowRepair,
        subcategory: "复电",
        rural: true,
        audience: Residential,
        templates: &[
            "{loc}从{when}开始停电，到现在已经{h}个小时还没有恢复供电",
            "{loc}停电{h}个小时仍未送电，询问了几次都说马上来电",
            "计划停电通知说下午六点送电，{loc}到晚上还没有来电，家里老人孩子没法休息",
            "{loc}故障停电后迟迟不恢复供电，已经停电{h}个小时，天气炎热难以忍受",
        ],
        demands: &["尽快恢复供电", "说明复电时间", "加快送电"],
    },
    RootCause {
        id: "bill_error",
        name: "电费核算差错",
        class: Business,
        quadrant: ManagementDefect,
        gap: Gap::Skill,
        subcategory: "电费核算",
        rural: false,
        audience: Residential,
        templates: &[
            "{mon}账单电量{k}度与电表实际读数不符，电费算错了",
            "电费账单上的起止码与电表显示对不上，多算了电费{m}元",
            "户号下的电价类别被错误执行为商业电价，多交了电费{m}元",
            "电费账单重复扣费，{mon}被扣了两次电费共{m}元",
        ],
        demands: &["重新核算电费", "退还多收电费", "给予书面答复"],
    },
    RootCause {
        id: "smart_meter_fast",
        name: "怀疑智能电表走字快",
        class: Business,
        quadrant: Misunderstanding,
        gap: Gap::Publicity,
        subcategory: "电能计量",
        rural: false,
        audience: Residential,
        templates: &[
            "换了智能电表之后电费明显增加，怀疑新电表走字快",
            "家里没人住电表还在走，认为智能电表计量不准，{mon}电费{m}元",
            "自从更换智能电表后每月多用{k}度电，怀疑电表有问题",
            "智能电表跑得太快，晚上关掉电器电表仍在走字",
        ],
        demands: &["对电表进行校验", "更换电表", "退还多收电费"],
    },
    RootCause {
        id: "connection_slow",
        name: "业扩报装慢、多部门推诿",
        class: Business,
        quadrant: ManagementDefect,
        gap: Gap::BuckPassing,
        subcategory: "业扩报装",
        rural: false,
        audience: Commercial,
        templates: &[
            "{d}天前申请新装用电，至今未装表接电，多次询问各部门相互推诿",
            "厂房办理增容报装已经{d}天，营销、运检、调度几个部门来回推，没人负责",
            "新装报装资料已经交齐，供电所说要等方案，方案又说要等现场勘查，拖了{d}天",
            "申请低压非居民新装，办理流程涉及多个部门，跑了{n}趟还没办好",
        ],
        demands: &["尽快装表送电", "明确办理时限", "指定专人负责"],
    },
    RootCause {
        id: "reply_late",
        name: "投诉答复不及时、未回电",
        class: SupplyService,
        quadrant: ManagementDefect,
        gap: Gap::SlowHandling,
        subcategory: "投诉处理",
        rural: false,
        audience: Residential,
        templates: &[
            "{d}天前反映的问题，答应两个工作日内回电，至今没有任何人联系",
            "之前投诉的问题一直没人回复，打电话询问也只说在处理中",
            "上次工单说会有工作人员联系客户，等了{d}天没有消息",
            "反映问题后一直没有答复，处理效率太低，已经催办{n}次",
        ],
        demands: &["尽快给予答复", "及时回电告知处理结果", "提高处理效率"],
    },
    RootCause {
        id: "tiered_pricing",
        name: "阶梯电价不理解",
        class: Business,
        quadrant: Misunderstanding,
        gap: Gap::Publicity,
        subcategory: "电价政策",
        rural: false,
        audience: Residential,
        templates: &[
            "{mon}电费突然涨了，不理解为什么电价变高，认为是乱收费",
            "对阶梯电价不了解，用电{k}度后电价变成第二档，认为电价计算不合理",
            "家里人口多用电量大，执行阶梯电价后电费太高，认为不合理",
            "不清楚阶梯电价年度周期怎么计算，下半年电价突然提高",
        ],
        demands: &["解释电价政策", "按原电价收费", "给予合理解释"],
    },
    RootCause {
        id: "nonutility_outage",
        name: "物业产权设备故障停电",
        class: Outage,
        quadrant: NonUtilityProperty,
        gap: Gap::PropertyUnclear,
        subcategory: "故障报修",
        rural: false,
        audience: Residential,
        templates: &[
            "{loc}整栋楼停电，物业说是供电公司的问题，要求供电公司马上来修",
            "{loc}小区配电房故障停电{h}个小时，物业推给供电公司，客户不知道找谁",
            "{loc}单元楼道总闸跳闸停电，物业不管，要求供电公司处理",
            "{loc}地下室配电设施进水停电，物业称设备归供电公司管",
        ],
        demands: &["尽快恢复供电", "明确责任单位", "协调物业处理"],
    },
    RootCause {
        id: "outage_notice_mismatch",
        name: "停电时间与通知不符",
        class: Outage,
        quadrant: ManagementDefect,
        gap: Gap::LateNotice,
        subcategory: "计划停电",
        rural: false,
        audience: Commercial,
        templates: &[
            "停电通知写的是上午八点到下午五点，{loc}实际晚上九点才来电，超时停电",
            "{loc}计划停电时间一再变更，通知的时间和实际停电时间不一致",
            "通知{when}停电，结果提前一天就停了，店里的货物损失{m}元",
            "停电公告时间与实际不符，{loc}停电时长超出通知{h}个小时",
        ],
        demands: &["按通知时间停送电", "赔偿损失", "说明超时原因"],
    },
    RootCause {
        id: "repair_staff_attitude",
        name: "抢修人员态度恶劣",
        class: SupplyService,
        quadrant: ServiceBehaviour,
        gap: Gap::Attitude,
        subcategory: "服务态度",
        rural: true,
        audience: Residential,
        templates: &[
            "{when}报修后抢修人员到场，态度很差，说这不归他们管就走了",
            "抢修人员到{loc}后不耐烦，对客户大声呵斥",
            "抢修师傅上门服务态度恶劣，客户询问故障原因拒绝解释",
            "抢修人员在{loc}现场抽烟，说话带脏字，服务态度差",
        ],
        demands: &[
            "对抢修人员批评教育",
            "工作人员当面道歉",
            "规范抢修人员服务行为",
        ],
    },
    RootCause {
        id: "arrears_cutoff_no_reminder",
        name: "欠费停电未提醒",
        class: Outage,
        quadrant: ManagementDefect,
        gap: Gap::LateNotice,
        subcategory: "欠费停复电",
        rural: false,
        audience: Residential,
        templates: &[
            "家里突然被停电，后来才知道是欠费{m}元停电，事先没有收到任何催费短信",
            "欠费停电前没有通知，客户一直以为是银行代扣，结果{when}被直接停电",
            "因欠费被停电，但从未收到欠费提醒和停电通知单",
            "只欠了{m}元电费就被停电，没有提前告知，认为停电程序不规范",
        ],
        demands: &["立即恢复供电", "欠费停电前提前通知", "给予合理解释"],
    },
    RootCause {
        id: "voltage_fluctuation",
        name: "电压不稳、忽高忽低",
        class: PowerQuality,
        quadrant: ManagementDefect,
        gap: Gap::GridMaintenance,
        subcategory: "电压质量",
        rural: true,
        audience: Residential,
        templates: &[
            "{loc}电压忽高忽低，灯光一闪一闪，电器经常自动关机",
            "{loc}电压不稳定，{when}电压突然升高，空调保护停机",
            "家里电压波动很大，低的时候只有{v}伏，高的时候电器跳闸，担心烧坏家电",
            "{loc}供电电压不稳，灯泡经常烧坏，一个月换了{n}个",
        ],
        demands: &["派人检测电压", "解决电压不稳问题", "对线路进行检修"],
    },
    RootCause {
        id: "appliance_damage",
        name: "电压异常烧坏电器索赔",
        class: PowerQuality,
        quadrant: ManagementDefect,
        gap: Gap::NoAccountability,
        subcategory: "家电损坏",
        rural: true,
        audience: Residential,
        templates: &[
            "{when}{loc}来电时电压过高，家里的电视、冰箱被烧坏，损失{m}元",
            "{loc}线路零线断线导致电压升高，多户家电烧坏，供电所不承认责任",
            "停电后恢复供电时电压异常，烧坏了空调和热水器，找供电所索赔无人理睬",
            "因供电公司线路故障导致家电损坏，损失{m}元，要求赔偿但一直推脱",
        ],
        demands: &["赔偿家电损失", "明确责任", "尽快处理赔偿事宜"],
    },
    RootCause {
        id: "meter_reading_error",
        name: "抄表错误、估抄",
        class: Business,
        quadrant: ManagementDefect,
        gap: Gap::Skill,
        subcategory: "抄表",
        rural: true,
        audience: Residential,
        templates: &[
            "抄表员没有上门抄表，估抄电量{k}度，电费明显不对",
            "{mon}抄表示数比电表实际示数多出{k}度，抄表员抄错了",
            "抄表员长期不来抄表，几个月一起抄，电费一下子要交{m}元",
            "电费单上的本月示数比电表显示的还大，明显是抄错表",
        ],
        demands: &["重新抄表", "更正电费", "退还多收电费"],
    },
    RootCause {
        id: "meter_relocation",
        name: "电表迁移、户表改造迟迟不办",
        class: Business,
        quadrant: ManagementDefect,
        gap: Gap::BuckPassing,
        subcategory: "计量装置",
        rural: false,
        audience: Residential,
        templates: &[
            "申请电表迁移已经{d}天，一直没有人来处理，供电所说要等计量班",
            "{loc}户表改造拖了{d}天没有完工，电表箱敞开没人管",
            "申请移表多次，营业厅说归供电所管，供电所又说找营业厅",
            "老旧小区户表改造后电表位置不合理，要求迁移无人处理",
        ],
        demands: &["尽快迁移电表", "给出办理时间", "安排专人跟进"],
    },
    RootCause {
        id: "tou_pricing",
        name: "峰谷电价不理解",
        class: Business,
        quadrant: Misunderstanding,
        gap: Gap::Publicity,
        subcategory: "电价政策",
        rural: false,
        audience: Residential,
        templates: &[
            "不知道峰谷电价的时段怎么划分，开通峰谷电后电费反而增加了",
            "对峰谷分时电价有疑问，谷段电量{k}度没有按优惠价计算",
            "未经同意被开通了峰谷电价，认为电费变贵了",
            "咨询峰谷电价如何取消，认为执行峰谷电价不划算",
        ],
        demands: &["解释峰谷电价政策", "取消峰谷电价", "按原标准收费"],
    },
    RootCause {
        id: "nonutility_low_voltage",
        name: "小区产权配电设施老化低电压",
        class: PowerQuality,
        quadrant: NonUtilityProperty,
        gap: Gap::PropertyUnclear,
        subcategory: "电压质量",
        rural: false,
        audience: Residential,
        templates: &[
            "{loc}小区配电设施老化，夏季电压低空调开不起来，物业说是供电公司的责任",
            "{loc}属于开发商自建配电房，电压低经常跳闸，要求供电公司改造",
            "{loc}小区内部线路老化电压不足，业主要求供电公司更换线路",
            "{loc}楼内电缆老化，用电高峰电压低，物业不愿出钱改造",
        ],
        demands: &["改造小区配电设施", "解决电压低问题", "明确产权和责任"],
    },
    RootCause {
        id: "paid_no_restore",
        name: "缴费后未及时复电",
        class: Outage,
        quadrant: ManagementDefect,
        gap: Gap::Handover,
        subcategory: "欠费停复电",
        rural: false,
        audience: Residential,
        templates: &[
            "{when}已经交清欠费，过了{h}个小时还没有恢复供电",
            "缴费后供电所答应马上复电，值班人员换班后就没人管了，至今未送电",
            "欠费缴清后一直没有复电，打电话说工单没有交接到位",
            "在网上国网缴费{m}元后，电表仍然断电，{h}个小时没有恢复",
        ],
        demands: &["立即复电", "说明未复电原因", "对相关人员问责"],
    },
    RootCause {
        id: "pv_connection_slow",
        name: "分布式光伏并网慢、补贴未到账",
        class: Business,
        quadrant: ManagementDefect,
        gap: Gap::BuckPassing,
        subcategory: "分布式光伏",
        rural: true,
        audience: Residential,
        templates: &[
            "家里安装的光伏申请并网已经{d}天，一直没有验收并网",
            "光伏发电上网电费{mon}没有结算到账，询问供电所说不清楚",
            "分布式光伏并网申请材料交齐后，供电所和县公司互相推诿，迟迟不装表",
            "光伏并网后发电补贴{m}元一直未到账，找了几个部门都说不归自己管",
        ],
        demands: &["尽快办理并网", "结算光伏电费", "明确办理部门"],
    },
    RootCause {
        id: "line_safety_distance",
        name: "线路与房屋树木安全距离不足",
        class: GridConstruction,
        quadrant: ManagementDefect,
        gap: Gap::GridMaintenance,
        subcategory: "线路安全",
        rural: true,
        audience: Residential,
        templates: &[
            "{loc}高压线路离房屋太近，只有一两米，存在安全隐患",
            "{loc}电线被树枝压住，刮风时打火花，担心引发火灾",
            "{loc}一根电线杆倾斜，电线下垂离地面很低，行人经过很危险",
            "{loc}低压线路从房顶上方穿过，安全距离不够，要求迁移线路",
        ],
        demands: &["尽快消除安全隐患", "迁移线路", "修剪树木"],
    },
    RootCause {
        id: "handover_missed",
        name: "交接班遗漏、承诺未兑现",
        class: SupplyService,
        quadrant: ManagementDefect,
        gap: Gap::Handover,
        subcategory: "投诉处理",
        rural: false,
        audience: Residential,
        templates: &[
            "{when}值班人员答应第二天安排人员上门，换班后没有人知道这件事",
            "之前报修时工作人员承诺次日处理，后来说没有交接记录，要重新登记",
            "夜班人员登记的问题白班不知道，客户又重新说了一遍情况",
            "上次来电已经登记过，工作人员交接班遗漏，问题至今没人跟进",
        ],
        demands: &["兑现承诺", "尽快安排处理", "落实交接班制度"],
    },
    RootCause {
        id: "prepaid_deduction",
        name: "预付费扣费异常",
        class: Business,
        quadrant: ManagementDefect,
        gap: Gap::Skill,
        subcategory: "电费缴纳",
        rural: false,
        audience: Residential,
        templates: &[
            "预付费电表余额{m}元突然被扣光，不清楚扣费原因",
            "预存电费后余额显示不对，少了{m}元",
            "费控电表余额还有钱却被远程停电",
            "预付费账户每天扣费金额异常，{d}天扣了{m}元",
        ],
        demands: &["核实扣费明细", "退还多扣费用", "恢复供电"],
    },
    RootCause {
        id: "construction_disturbance",
        name: "电力施工扰民",
        class: GridConstruction,
        quadrant: ManagementDefect,
        gap: Gap::ConstructionManagement,
        subcategory: "施工管理",
        rural: false,
        audience: Residential,
        templates: &[
            "{loc}电力施工夜间作业到凌晨，噪音很大影响休息",
            "{loc}电缆施工挖开路面后围挡不规范，居民出行不便",
            "供电施工队在{loc}施工不文明，渣土随意堆放",
            "{loc}电力管沟施工持续{d}天，噪音扰民，没有任何公示",
        ],
        demands: &["停止夜间施工", "规范文明施工", "尽快完工"],
    },
    RootCause {
        id: "payment_not_credited",
        name: "缴费未到账",
        class: Business,
        quadrant: ManagementDefect,
        gap: Gap::Skill,
        subcategory: "电费缴纳",
        rural: false,
        audience: Residential,
        templates: &[
            "{when}通过微信缴纳电费{m}元，至今没有到账，仍显示欠费",
            "在网上国网交了{m}元电费，系统查不到缴费记录",
            "银行代扣电费已扣款，供电公司却显示未缴费并发催费短信",
            "在营业厅交的电费没有入账，又被催缴电费",
        ],
        demands: &["核实缴费记录", "尽快入账", "撤销欠费记录"],
    },
    RootCause {
        id: "transformer_noise",
        name: "变压器噪音扰民",
        class: GridConstruction,
        quadrant: ManagementDefect,
        gap: Gap::GridMaintenance,
        subcategory: "环境影响",
        rural: false,
        audience: Residential,
        templates: &[
            "{loc}楼下箱式变压器噪音很大，晚上嗡嗡响影响睡眠",
            "{loc}变压器运行声音大，夏天尤其严重，已经影响休息",
            "小区配电变压器离住宅太近，噪音和发热严重",
            "{loc}变压器夜间噪音超标，持续{d}天无人处理",
        ],
        demands: &["降低变压器噪音", "迁移变压器", "派人检测噪音"],
    },
    RootCause {
        id: "scripted_reply",
        name: "客服程式化答复",
        class: SupplyService,
        quadrant: ServiceBehaviour,
        gap: Gap::Attitude,
        subcategory: "服务规范",
        rural: false,
        audience: Residential,
        templates: &[
            "客服人员答复照本宣科，只会重复规定，不解决实际问题",
            "回访人员只是例行公事，问题没有解决也让客户打满意",
            "{staff}回复内容敷衍，程式化答复，没有针对客户的问题",
            "每次来电客服都是同样的话术，客户感觉不被重视",
        ],
        demands: &["认真对待客户诉求", "给予实质性答复", "改进服务方式"],
    },
    RootCause {
        id: "meter_fault",
        name: "电表故障计量失准",
        class: Business,
        quadrant: ManagementDefect,
        gap: Gap::Skill,
        subcategory: "电能计量",
        rural: false,
        audience: Residential,
        templates: &[
            "电表显示屏黑屏，不知道用了多少电，电费却照常扣",
            "电表校验结果误差超标，要求供电公司退还多收电费{m}元",
            "电表故障停走，供电公司事后追补电量{k}度，客户不认可",
            "电表烧坏后更换，换表前后电量差异大，怀疑计量不准",
        ],
        demands: &["更换电表", "退补电费", "出具校验报告"],
    },
    RootCause {
        id: "developer_facility",
        name: "开发商配套电力设施未移交",
        class: GridConstruction,
        quadrant: NonUtilityProperty,
        gap: Gap::PropertyUnclear,
        subcategory: "配套工程",
        rural: false,
        audience: Residential,
        templates: &[
            "{loc}新小区交房{d}天了还是临时用电，开发商说供电公司不给正式送电",
            "{loc}开发商配套的配电设施未验收移交，业主无法办理一户一表",
            "{loc}小区一直使用施工临时电，电价高，业主要求供电公司直接供电",
            "{loc}开发商与供电公司配套费用纠纷，业主入住后无法正常用电",
        ],
        demands: &["尽快正式供电", "办理一户一表", "协调开发商解决"],
    },
    RootCause {
        id: "repair_no_followup",
        name: "抢修后未回访、现场未恢复",
        class: Outage,
        quadrant: ManagementDefect,
        gap: Gap::NoFollowUp,
        subcategory: "故障抢修",
        rural: true,
        audience: Residential,
        templates: &[
            "抢修人员临时接线恢复供电后再也没有来处理，线路一直裸露",
            "{loc}抢修后现场留下的电缆和垃圾没有清理",
            "故障抢修完成后没有回访，{d}天后又出现同样的停电",
            "抢修时挖开的地面一直没有恢复，抢修人员说以后再来",
        ],
        demands: &["彻底处理故障", "清理现场", "安排回访"],
    },
    RootCause {
        id: "shared_meter_markup",
        name: "转供电主体加价收费",
        class: Business,
        quadrant: NonUtilityProperty,
        gap: Gap::PropertyUnclear,
        subcategory: "电费电价",
        rural: false,
        audience: Commercial,
        templates: &[
            "{loc}商铺电费由物业代收，每度电收{v}分钱以上，认为供电公司乱收费",
            "{loc}写字楼物业转供电加收公摊电费，要求供电公司查处",
            "{loc}市场管理方收取电费高于国家电价，客户认为是供电公司定价",
            "{loc}物业按总表分摊电费，{mon}多收{m}元",
        ],
        demands: &["按国家电价收费", "清理加价收费", "安装独立电表"],
    },
    RootCause {
        id: "planned_outage_long",
        name: "计划检修停电时间长不理解",
        class: Outage,
        quadrant: Misunderstanding,
        gap: Gap::Publicity,
        subcategory: "计划停电",
        rural: true,
        audience: Commercial,
        templates: &[
            "{loc}计划检修停电一整天，认为停电时间太长，影响生产经营",
            "{loc}一个月内计划停电{n}次，不理解为何要频繁检修",
            "为什么检修不能安排在晚上，白天停电{h}个小时严重影响营业",
            "{loc}因线路改造计划停电，客户认为没有必要停这么久",
        ],
        demands: &["缩短停电时间", "合理安排检修时间", "给予解释"],
    },
    RootCause {
        id: "weather_outage",
        name: "恶劣天气或上级电网故障停电不理解",
        class: Outage,
        quadrant: Misunderstanding,
        gap: Gap::Publicity,
        subcategory: "故障停电",
        rural: true,
        audience: Residential,
        templates: &[
            "{when}雷雨天气{loc}大面积停电，客户认为供电公司设备质量差",
            "台风过后{loc}停电{h}个小时，不理解为什么恢复这么慢",
            "{loc}因上级变电站故障停电，客户认为是本地线路问题",
            "冰冻天气{loc}线路覆冰停电，客户要求立即送电",
        ],
        demands: &["尽快恢复供电", "说明停电原因", "加强设备维护"],
    },
    RootCause {
        id: "arrears_late_fee",
        name: "电费违约金不理解",
        class: Business,
        quadrant: Misunderstanding,
        gap: Gap::Publicity,
        subcategory: "电费电价",
        rural: false,
        audience: Residential,
        templates: &[
            "晚交了几天电费被收取违约金{m}元，认为不合理",
            "不知道电费有缴费期限，被加收违约金",
            "{mon}电费产生了违约金，客户称从未被告知违约金规定",
            "认为电费违约金收取标准过高，要求减免",
        ],
        demands: &["减免违约金", "解释违约金规定", "退还违约金"],
    },
    RootCause {
        id: "ev_charger_property",
        name: "充电桩报装物业不配合",
        class: Business,
        quadrant: NonUtilityProperty,
        gap: Gap::PropertyUnclear,
        subcategory: "业扩报装",
        rural: false,
        audience: Residential,
        templates: &[
            "申请安装私人充电桩，物业不同意出具证明，供电公司不予受理",
            "{loc}车位安装充电桩需要物业盖章，物业拒绝，客户认为是供电公司刁难",
            "充电桩报装被物业以容量不足为由阻止，要求供电公司解决",
            "{loc}地下车库充电桩报装卡在物业，客户等了{d}天",
        ],
        demands: &["尽快安装充电桩", "协调物业", "简化报装手续"],
    },
    RootCause {
        id: "wait_time_long",
        name: "营业厅排队时间长、窗口少",
        class: SupplyService,
        quadrant: ManagementDefect,
        gap: Gap::Skill,
        subcategory: "营业窗口",
        rural: false,
        audience: Residential,
        templates: &[
            "{hall}只开一个窗口，排队等了一个多小时才办上业务",
            "在{hall}办理业务排队时间太长，工作人员效率低",
            "{hall}午休时间不办理业务，客户白跑一趟",
            "{hall}自助缴费机故障，排长队无人引导",
        ],
        demands: &["增加服务窗口", "提高办事效率", "改进营业厅管理"],
    },
    RootCause {
        id: "meter_reader_attitude",
        name: "抄表催费人员态度差",
        class: SupplyService,
        quadrant: ServiceBehaviour,
        gap: Gap::Attitude,
        subcategory: "服务态度",
        rural: true,
        audience: Residential,
        templates: &[
            "催费人员上门催缴电费时态度恶劣，威胁要停电",
            "抄表员进门不打招呼，抄完表就走，客户询问电费被顶撞",
            "催费人员在{loc}当众大声催缴电费，让客户很难堪",
            "台区经理电话催费语气生硬，客户解释后仍然不依不饶",
        ],
        demands: &["对催费人员批评教育", "工作人员道歉", "文明催费"],
    },
    RootCause {
        id: "road_not_restored",
        name: "施工后路面绿化未恢复",
        class: GridConstruction,
        quadrant: ManagementDefect,
        gap: Gap::NoFollowUp,
        subcategory: "施工管理",
        rural: false,
        audience: Residential,
        templates: &[
            "{loc}电缆施工完成{d}天了，挖开的路面一直没有恢复",
            "供电施工破坏了{loc}的绿化带，完工后没有恢复原状",
            "{loc}立杆施工后留下的坑没有回填，存在安全隐患",
            "电力施工后{loc}的道路坑洼不平，施工方不管",
        ],
        demands: &["尽快恢复路面", "恢复绿化", "消除安全隐患"],
    },
    RootCause {
        id: "repair_staff_fee",
        name: "抢修人员违规收费",
        class: SupplyService,
        quadrant: ServiceBehaviour,
        gap: Gap::NoAccountability,
        subcategory: "行风问题",
        rural: true,
        audience: Residential,
        templates: &[
            "抢修人员上门后要求客户支付材料费{m}元才肯修",
            "电工上门接电收取了{m}元费用，没有开具任何票据",
            "台区电工处理故障后私自收费，客户认为属于乱收费",
            "抢修人员以更换配件为由收取费用{m}元",
        ],
        demands: &["退还费用", "严肃处理相关人员", "给出书面说明"],
    },
    RootCause {
        id: "emf_radiation_fear",
        name: "担心变电站辐射",
        class: GridConstruction,
        quadrant: Misunderstanding,
        gap: Gap::Publicity,
        subcategory: "环境影响",
        rural: false,
        audience: Residential,
        templates: &[
            "{loc}附近新建变电站，担心电磁辐射影响健康",
            "{loc}楼下箱变离住宅太近，担心辐射对孩子有害",
            "担心高压线路辐射，要求供电公司搬迁{loc}旁边的线路",
            "{loc}居民反对在小区内建设配电房，认为有辐射",
        ],
        demands: &["迁移变电设施", "出具辐射检测报告", "给予解释"],
    },
    RootCause {
        id: "hanging_wires",
        name: "通信线缆杂乱（非电力产权）",
        class: GridConstruction,
        quadrant: NonUtilityProperty,
        gap: Gap::PropertyUnclear,
        subcategory: "线路安全",
        rural: false,
        audience: Residential,
        templates: &[
            "{loc}电线杆上的线缆杂乱下垂，认为是供电公司的电线没人管",
            "{loc}路边垂下一根断线，客户以为是电线，要求供电公司处理",
            "{loc}楼外墙上的飞线杂乱，存在安全隐患，要求供电公司清理",
            "{loc}电杆上的广电和通信线缆脱落，挡住通道",
        ],
        demands: &["清理线缆", "消除安全隐患", "明确管理单位"],
    },
    RootCause {
        id: "phase_imbalance",
        name: "缺相、三相不平衡影响生产",
        class: PowerQuality,
        quadrant: ManagementDefect,
        gap: Gap::GridMaintenance,
        subcategory: "电压质量",
        rural: true,
        audience: Commercial,
        templates: &[
            "厂里三相电经常缺相，电机烧坏{n}台",
            "{loc}三相电压不平衡，生产设备频繁报警停机",
            "企业用电出现缺相，造成生产线停产，损失{m}元",
            "{loc}动力电电压不稳，缺相导致水泵电机损坏",
        ],
        demands: &["尽快处理缺相问题", "赔偿设备损失", "检修线路"],
    },
    RootCause {
        id: "name_transfer_hassle",
        name: "过户更名手续繁琐、一次性告知不到位",
        class: Business,
        quadrant: ManagementDefect,
        gap: Gap::Skill,
        subcategory: "用电变更",
        rural: false,
        audience: Residential,
        templates: &[
            "办理电费过户跑了{n}趟，每次都被告知缺少不同的材料",
            "营业厅没有一次性告知更名需要的资料，来回跑了好几次",
            "买了二手房办理过户，{hall}要求原户主到场，客户无法办理",
            "网上国网提交更名申请{d}天无人审核",
        ],
        demands: &["一次性告知所需材料", "尽快办理过户", "简化手续"],
    },
];

/// The cause with this id.
pub fn find(id: &str) -> Option<&'static RootCause> {
    CATALOGUE.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_are_unique_and_resolvable() {
        let ids: BTreeSet<&str> = CATALOGUE.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), CATALOGUE.len());
        assert!(CATALOGUE.len() >= 40, "{} causes", CATALOGUE.len());
        assert_eq!(
            find("outage_no_notice").map(|c| c.name),
            Some("计划停电未提前通知")
        );
    }

    #[test]
    fn covers_every_class_and_quadrant() {
        for class in ComplaintClass::ALL {
            assert!(
                CATALOGUE.iter().filter(|c| c.class == class).count() >= 4,
                "{class:?}"
            );
        }
        for q in [
            ServiceBehaviour,
            ManagementDefect,
            NonUtilityProperty,
            Misunderstanding,
        ] {
            assert!(
                CATALOGUE.iter().filter(|c| c.quadrant == q).count() >= 4,
                "{q:?}"
            );
        }
    }

    #[test]
    fn every_cause_has_variety_and_known_slots() {
        const SLOTS: [&str; 11] = [
            "loc", "when", "n", "h", "d", "m", "k", "v", "mon", "staff", "hall",
        ];
        for c in CATALOGUE {
            assert!(c.templates.len() >= 4, "{}", c.id);
            assert!(c.demands.len() >= 3, "{}", c.id);
            for t in c.templates {
                let mut rest = *t;
                while let Some(open) = rest.find('{') {
                    let close = rest[open..].find('}').map(|i| open + i);
                    let Some(close) = close else {
                        panic!("unclosed slot in {t}")
                    };
                    assert!(SLOTS.contains(&&rest[open + 1..close]), "slot in {t}");
                    rest = &rest[close + 1..];
                }
            }
        }
    }

    #[test]
    fn gap_ids_round_trip() {
        for g in Gap::ALL {
            assert_eq!(Gap::from_id(g.id()), Some(g));
        }
    }
}
