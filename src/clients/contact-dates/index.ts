/**
 * A client's contact dates (last contact, next appointment): metadata on the client row that the
 * list orders and filters by, kept true to their activities and notes in one place.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { contactDatesJob, refreshBegunAppointments, refreshContactDates } from './contact-dates.service.ts';
