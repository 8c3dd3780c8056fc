// Expands an iCalendar document with ical.js, as web calendars built on it do, and prints every
// instance between two dates as JSON: [{uid, summary, status, local, zone, utc, end_utc}], sorted by
// start. Only the document's own VTIMEZONEs are used (ical.js has no zone database of its own).
// Usage: node expand.mjs FROM TO < calendar.ics   (local dates as YYYY-MM-DD, TO excluded: an instance
// is kept when its wall-clock date in its own zone is in the range)
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const [from, to] = process.argv.slice(2);
const calendar = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}
const masters = new Map();
const exceptions = [];
for (const component of calendar.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(component);
  if (event.isRecurrenceException()) exceptions.push(event);
  else masters.set(event.uid, event);
}
for (const exception of exceptions) masters.get(exception.uid)?.relateException(exception);

const instances = [];
const add = (event, startDate, endDate) => {
  const local = startDate.toString();
  if (local < from || local >= to) return;
  instances.push({
    uid: event.uid,
    summary: event.summary,
    status: event.component.getFirstPropertyValue("status"),
    local: startDate.toString(),
    zone: startDate.zone ? startDate.zone.tzid : null,
    utc: startDate.toJSDate().toISOString(),
    end_utc: endDate.toJSDate().toISOString(),
  });
};
for (const event of masters.values()) {
  if (!event.isRecurring()) {
    add(event, event.startDate, event.endDate);
    continue;
  }
  const iterator = event.iterator();
  for (let next = iterator.next(); next && next.toString() < to; next = iterator.next()) {
    const details = event.getOccurrenceDetails(next);
    add(details.item, details.startDate, details.endDate);
  }
}
instances.sort((a, b) => a.utc.localeCompare(b.utc) || a.uid.localeCompare(b.uid));
process.stdout.write(JSON.stringify(instances));
