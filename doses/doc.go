// Package doses numbers the doses of a vaccination history as the "dn/sd"
// fields of an EU Digital COVID Certificate, following Annex II §5 ("Number in
// a series of doses, as well as the overall number of doses in the series") of
// Commission Implementing Decision (EU) 2021/1073 as amended by Implementing
// Decision (EU) 2021/2014 (recitals 7–9), and the DCC issuance guide
// ("Vaccine Boosters", "Encoding of Bivalent Vaccines").
//
// # Rules
//
// Doses of the primary course are numbered N/C, where C is the length of the
// standard primary course (§5.1). Once the primary course is complete, each
// additional dose X is numbered (N+X)/(C+X) (§5.2), so dn = sd = the number of
// doses received so far. For example, with Comirnaty: 1/2, 2/2, booster 3/3,
// second booster (bivalent, still coded EU/1/20/1528) 4/4.
//
// C is chosen as follows:
//
//   - C = 1 when [History.PriorInfection] is set: a national protocol gives a
//     person infected before the first dose a single dose of a 2-dose vaccine
//     (§5.1), so that dose is 1/1 and the next one 2/2.
//   - Otherwise C is the course length of the first dose's product, from
//     [Policy.CourseLength] or [Policy.DefaultCourse].
//   - Mixed products: C stays fixed by the first dose, except that a dose of a
//     single-dose product (course length 1) given while the course is still
//     incomplete completes it (Comirnaty then Jcovden: 1/2 then 2/2). A
//     single-dose product completes a course on its own, so it must complete
//     one that is already under way.
//
// An extended primary course (severely immunocompromised persons, or doses
// given without respecting the recommended interval) needs no special case:
// §5.1 says such doses are encoded as additional doses, which is exactly what
// counting past C produces (a third Comirnaty dose is 3/3).
//
// Doses are numbered in date order; doses sharing a date keep their input
// order, since the date alone cannot order them and the caller knows best.
//
// Under Article 5(1) of Regulation (EU) 2021/953 (recital 8) a Member State may
// issue certificates for additional doses on request only; [Policy.AutoAdditional]
// records that choice and [Numbered.OnRequest] marks the doses it affects. The
// numbering itself never changes: recital 9 requires such certificates to show
// the real number of doses.
//
// [Classify] reads a dn/sd pair back. From dn/sd alone, 2/2 may be a completed
// 2-dose course or an additional dose after a 1-dose course, and Classify says
// so rather than guess.
package doses
