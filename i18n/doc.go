// Package i18n holds what a person reads in both of the system's languages,
// Spanish and English: the bilingual interface the seeds (000) describe and
// the labels of Annex V in its Spanish text and of the Annex to Regulation
// (EU) 2021/953 in English.
//
// Each package that shows people messages declares them in one typed table
// (a struct of Text and Format fields); Lint checks such a table, so that a
// message without its Spanish text fails that package's tests. Technical
// detail for operators (a kid, a hash type) is kept apart from the Text.
package i18n
