// The deadlines the notification service enforces, each with its source. Statutory periods are
// constants (changing them means the law changed); periods that are practice rather than law are
// defaults of named configuration (config.ts) and are only referenced here.

/**
 * CPPCR 2010 reg 13(4): where an emergency placement is made, the host (area) authority must be
 * notified within 5 working days of the placement starting.
 */
export const EMERGENCY_PLACEMENT_NOTICE_WORKING_DAYS = 5;

/**
 * CPPCR 2010 reg 14(2): where prior notice of the end of a placement was not reasonably
 * practicable, notice must be given within 10 working days after the placement ends.
 */
export const DEPARTURE_NOTICE_AFTER_END_WORKING_DAYS = 10;

/**
 * CHR 2015 reg 40(2): notifiable events are reported "without delay". Practice is within 24 hours;
 * the deadline is the next working day after the event was recorded, so a Friday-evening event is
 * due on Monday, not on Saturday when nobody at the recipient can act on it.
 */
export const SERIOUS_EVENT_NOTICE_WORKING_DAYS = 1;

/**
 * Default of REG44_REPORT_DISTRIBUTION_WORKING_DAYS. CHR 2015 reg 44(7) requires copies of the
 * independent person's report to go to HMCI and the placing authorities but sets no period;
 * DOMAIN.md fixes 10 working days after the report date as configurable practice.
 */
export const DEFAULT_REG44_REPORT_DISTRIBUTION_WORKING_DAYS = 10;

/**
 * Default of REG44_OVERDUE_NOTICE_WORKING_DAYS: a month without a Reg 44 visit (CHR 2015 reg
 * 44(2), at least monthly) is told to the provider and placing authorities by the next working
 * day after it is detected. Practice, not law.
 */
export const DEFAULT_REG44_OVERDUE_NOTICE_WORKING_DAYS = 1;
