// The names of the areas of co-operation in the commission's working language and in English: the one wording the
// co-chairs' report shows and the import of a roadmap table reads (with the other names people write, there).
import type { TaskArea } from '../../db/enums.js';

export const AREA_NAMES: Record<TaskArea, { ru: string; en: string }> = {
  mechanical_engineering: { ru: 'Машиностроение', en: 'Mechanical engineering' },
  digitalization: { ru: 'Цифровизация', en: 'Digitalization' },
  food_supplies: { ru: 'Поставки продовольствия', en: 'Food supplies' },
  agriculture: { ru: 'Сельское хозяйство', en: 'Agriculture' },
  trade: { ru: 'Торговля', en: 'Trade' },
  industrial_cooperation: { ru: 'Промышленная кооперация', en: 'Industrial co-operation' },
  energy: { ru: 'Энергетика', en: 'Energy' },
  transport_logistics: { ru: 'Транспорт и логистика', en: 'Transport and logistics' },
  regional_cooperation: { ru: 'Межрегиональное сотрудничество', en: 'Regional co-operation' },
  science_education: { ru: 'Наука и образование', en: 'Science and education' },
  other: { ru: 'Прочее', en: 'Other' },
};
