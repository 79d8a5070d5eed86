/**
 * Text clean-up before matching: full-width forms, traditional characters and the typos people
 * actually make are folded into the simplified spellings the rules are written in. Each fix is
 * counted so that confidence can reflect how much was guessed.
 */

// Traditional → simplified, limited to characters that occur in office requests. Pairs are written
// as two parallel strings so the table stays readable.
const TRADITIONAL =
  '報銷費員務項審過駁絕撤請單據額萬兩億個這週號後離幫飯車機鐵飛話訊訓練辦業應戶進態狀門為說麼會開給們嗎還沒與經預資場營動雙時間當歷區貨運輸紙筆記張條選換轉鐘點錢塊圓際問題讓處組團隊術層導領總長財產質險採購餘賬帳現結邊樓電網絡寬帶寫書課參議禮贈腦臺調崗職辭發視頻錄標準則規劃劃訂約見歲麵飲餐廳裡裏構負責務專案對實際檢查詢聯繫關係級別從關閉啟無線顯腳醫療藥體檢廣告設計權產銷售擴園區築維修備份碼驗證續費補貼聽說傳輸遞屆屬雜幣價貴員倉儲統歸獎勵臨劇藝農華東陽學習師軟數庫雲織綜紅'
const SIMPLIFIED =
  '报销费员务项审过驳绝撤请单据额万两亿个这周号后离帮饭车机铁飞话讯训练办业应户进态状门为说么会开给们吗还没与经预资场营动双时间当历区货运输纸笔记张条选换转钟点钱块圆际问题让处组团队术层导领总长财产质险采购余账账现结边楼电网络宽带写书课参议礼赠脑台调岗职辞发视频录标准则规划划订约见岁面饮餐厅里里构负责务专案对实际检查询联系关系级别从关闭启无线显脚医疗药体检广告设计权产销售扩园区筑维修备份码验证续费补贴听说传输递届属杂币价贵员仓储统归奖励临剧艺农华东阳学习师软数库云织综红'

const CHAR_MAP = new Map<string, string>()
for (let i = 0; i < TRADITIONAL.length; i++) {
  const t = TRADITIONAL[i]!
  const s = SIMPLIFIED[i]!
  if (t !== s) CHAR_MAP.set(t, s)
}

/** Whole-word fixes: Taiwanese vocabulary, then common typos (pinyin-input slips and homophones). */
const WORD_FIXES: ReadonlyArray<readonly [RegExp, string]> = [
  [/计程车/g, '出租车'],
  [/捷运/g, '地铁'],
  [/笔电/g, '笔记本电脑'],
  [/笔记型电脑/g, '笔记本电脑'],
  [/影印/g, '复印'],
  [/(?:报消|抱销|报宵|暴销|报削|包销)/g, '报销'],
  [/报帐/g, '报账'],
  [/(?:差率|叉旅|差履|茶旅|差吕)/g, '差旅'],
  [/(?<=[车餐旅宿讯话训通油])废/g, '费'],
  [/废用/g, '费用'],
  [/(?:审皮|审比|申批|审劈)/g, '审批'],
  [/立相/g, '立项'],
  [/(?:调刚|掉岗|调港)/g, '调岗'],
  [/(?:驳会|拨回|博回)/g, '驳回'],
  [/(?:撤会|撤灰|彻回)/g, '撤回'],
  [/(?:待半|代办|待班)/g, '待办'],
  [/进渡/g, '进度'],
  [/(?:采够|菜购|彩购|采构)/g, '采购'],
  [/(?<=[离辞])值/g, '职'],
  [/同以/g, '同意'],
  [/\baprove\b/g, 'approve'],
  [/\bexpence\b/g, 'expense'],
  [/\breimberse\b/g, 'reimburse'],
]

export interface NormalizedText {
  text: string
  /** How many characters or words were rewritten from a typo or variant spelling. */
  corrections: number
}

export function normalizeText(raw: string): NormalizedText {
  let corrections = 0
  let text = ''
  for (const ch of raw.normalize('NFKC')) {
    const simplified = CHAR_MAP.get(ch)
    text += simplified ?? ch
  }
  for (const [pattern, replacement] of WORD_FIXES) {
    text = text.replace(pattern, () => {
      corrections++
      return replacement
    })
  }
  return { text: text.trim(), corrections }
}
