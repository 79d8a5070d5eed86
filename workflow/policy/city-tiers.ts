/**
 * The standard city tiers (城市档位) for travel limits: the demo lodging policy is seeded with them,
 * and the chat recognises a claim's city by them before any policy is read. An admin's own list lives
 * in each `category_limit` policy's `cityTiers` and is what the checks use; cities added there are
 * recognised in chat too (policyCities).
 */
export const STANDARD_CITY_TIERS: Readonly<Record<string, number>> = {
  北京: 1,
  上海: 1,
  广州: 1,
  深圳: 1,
  杭州: 2,
  南京: 2,
  成都: 2,
  武汉: 2,
  西安: 2,
  苏州: 2,
  天津: 2,
  重庆: 2,
  洛阳: 3,
  桂林: 3,
  绵阳: 3,
  襄阳: 3,
  宜昌: 3,
  赣州: 3,
}
