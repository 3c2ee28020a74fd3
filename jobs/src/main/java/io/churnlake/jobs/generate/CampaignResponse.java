package io.churnlake.jobs.generate;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * The planted response to a retention contact (docs/generator.md): for {@code effectDays} days from
 * the day after the plan's date, a contacted customer's daily churn hazard is multiplied by a
 * factor that depends on who they are and on the action's strength:
 *
 * <ul>
 *   <li>{@link Group#FRAGILE} customers (the quarter whose frustrating experiences are frequent,
 *       whose churn is friction-driven): {@code 1 - 0.8 x strength} — the action fixes what drives
 *       them away;
 *   <li>{@link Group#STEADY} customers: {@code 1} — no effect; they leave for reasons a contact
 *       does not change, or would stay anyway;
 *   <li>{@link Group#DO_NOT_DISTURB} customers (the content ones: not fragile, the fewest thumbs
 *       down; {@code generate.campaign.do-not-disturb-share} of all): {@code 1 + 1.0 x strength} —
 *       being contacted drives them away.
 * </ul>
 *
 * Strengths per action: {@link #STRENGTHS}; an action not listed has {@link #OTHER_STRENGTH}, and
 * {@code none} has 0. The latest contact's factor holds while its effect lasts.
 */
final class CampaignResponse implements Serializable {
  /** How strongly each default action acts (0: not at all). */
  static final Map<String, Double> STRENGTHS =
      Map.of(
          "agent-call", 1.0,
          "personal-offer", 0.7,
          "discount", 0.45,
          "education", 0.15,
          "none", 0.0);

  static final double OTHER_STRENGTH = 0.5;
  static final double FRAGILE_CUT = 0.8;
  static final double DO_NOT_DISTURB_RISE = 1.0;

  /** Who a customer is to a retention contact. */
  enum Group {
    FRAGILE,
    STEADY,
    DO_NOT_DISTURB;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** One planned customer on a plan's date (day index): the action, and whether it was made. */
  record Contact(int day, String action, boolean contacted) implements Serializable {}

  private final Group group;
  private final List<Contact> contacts;
  private final int effectDays;

  /**
   * @param contacts the customer's planned rows, by day
   */
  CampaignResponse(Group group, List<Contact> contacts, int effectDays) {
    this.group = group;
    this.contacts = List.copyOf(contacts);
    this.effectDays = effectDays;
  }

  Group group() {
    return group;
  }

  List<Contact> contacts() {
    return contacts;
  }

  static double strength(String action) {
    return STRENGTHS.getOrDefault(action, OTHER_STRENGTH);
  }

  /** The hazard factor of a contact with {@code action}. */
  double factor(String action) {
    double s = strength(action);
    return switch (group) {
      case FRAGILE -> 1 - FRAGILE_CUT * s;
      case STEADY -> 1.0;
      case DO_NOT_DISTURB -> 1 + DO_NOT_DISTURB_RISE * s;
    };
  }

  /**
   * The hazard factor on {@code day} from contacts made on plans dated before {@code beforeDay}:
   * the latest made contact whose effect still lasts, else 1.
   */
  double factorOn(int day, int beforeDay) {
    double f = 1.0;
    for (Contact c : contacts) {
      if (c.day() < beforeDay && c.contacted() && day > c.day() && day <= c.day() + effectDays) {
        f = factor(c.action());
      }
    }
    return f;
  }

  /**
   * Whether a contact with this factor lasts on {@code day} when made on a plan of {@code from}.
   */
  boolean lasts(int from, int day) {
    return day > from && day <= from + effectDays;
  }
}
