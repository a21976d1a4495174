package cli

// commands is the command line: every command, its help and what runs it.
// Built afresh by Main (no package state).
func commands() *command {
	root := &command{
		summary: "the EU Digital COVID Certificate system",
		usage:   []string{"COMMAND [FLAGS] [ARGUMENTS]"},
		about: `dcc is a national system for the EU Digital COVID Certificate in one binary:
			the issuing system and national registry (serve, issue), checks of payloads and
			identifiers (validate, uvci, doses, valuesets, translit), the country's PKI and
			the HCERT container (pki, sign, decode, verify), the rule engines (certlogic,
			rules), the member states' test vectors (conformance) and a server compatible
			with the EU DCC Gateway (gateway). Flags may stand before or after the arguments;
			"--" ends the flags.`,
		notes: `Key URIs: file:PATH[?passphrase-file=F] or
  pkcs11:token=LABEL;object=LABEL?module-path=LIB&pin-source=file:PINFILE

Exit status: 0 ok, 1 invalid input (the thing checked is wrong), 2 usage or I/O
error (the command could not check it).
`,
		examples: []string{
			"serve                        # the demo country in ./dcc-data on http://127.0.0.1:8080",
			"validate --example",
			"help pki dsc                 # the same as: dcc pki dsc --help",
		},
	}
	root.subs = []*command{
		{
			name:    "help",
			summary: "the usage of dcc or of one command",
			usage:   []string{"help [COMMAND [SUBCOMMAND]]"},
			about: `Prints the usage of dcc, with the list of its commands, or the help of the
				named command: the same as "dcc COMMAND --help".`,
			examples: []string{"help", "help verify", "help gateway sync"},
			run:      (*env).help,
		},
		{
			name:    "serve",
			summary: "the issuing system, national registry, API and web UI",
			usage: []string{
				"serve [--data DIR] [--addr HOST:PORT] [--role all|authority|registry] [--authority ID] [--log text|json]",
				"serve --config FILE [--addr HOST:PORT] [--registry URL] [--log text|json]",
			},
			about: `Runs the issuing system: the issuing authorities and the national registry,
				their API and the web UI, until interrupted (SIGINT or SIGTERM). Without --config it
				runs the demo country in the --data directory, created on the first run with
				demo keys, certificates and tokens (DEMO MATERIAL; the tokens are printed once and
				kept in DIR/demo-credentials.json, mode 0600), on http://127.0.0.1:8080; --role
				picks one part of the demo's split deployment: the national registry alone, or one
				authority (--authority) delivering its records to it. With --config it runs a
				configured deployment (docs/operations.md). Exit 2 for a configuration error, 1
				when serving fails.`,
			examples: []string{
				"serve",
				"serve --role registry",
				"serve --role authority --authority AN",
				"serve --config /etc/dcc/dcc.json --log json",
			},
			run: (*env).serve,
		},
		{
			name:    "issue",
			summary: "bulk issuance of a batch, each line issued once",
			usage: []string{
				"issue (--data DIR | --config FILE) --authority ID --batch FILE.jsonl|- [--out RESULTS.jsonl [--resume]] [--run-id NAME]",
			},
			about: `Issues a batch of certificates as one issuing authority of a deployment (mass
				issuance, re-issuance): one request per line, {"type": "vaccination"|"test"|"recovery",
				"payload": {...}}, and one JSON result per line, with the UVCI and the HC1 string or the
				errors of the line, in order. Each line is issued under the idempotency key of the run
				(the SHA-256 of the batch file, or --run-id) and its line number: running the same
				batch again after an interruption issues only what is missing and reports the rest
				again ("replayed": true); --resume appends to --out only the results it lacks. Exit 1
				when a line failed, 2 for a usage or I/O error.`,
			examples: []string{
				"issue --data dcc-data --authority MS --batch doses.jsonl --out results.jsonl",
				"issue --data dcc-data --authority MS --batch doses.jsonl --out results.jsonl --resume",
				"issue --config /etc/dcc/dcc.json --authority MS --batch - --run-id 2021-06-01 < doses.jsonl",
			},
			run: (*env).issue,
		},
		{
			name:    "validate",
			summary: "check payloads against the schema and value sets",
			usage: []string{
				"validate [--lenient] [--valuesets DIR] FILE...",
				"validate --example",
			},
			about: `Checks DCC payloads (JSON; - for standard input) against the JSON schema, the
				value sets and the rules of Annex V, and prints every problem with its field, then
				"valid" or "invalid" for each file. Strict by default, as issuance is: every
				deviation is an error; --lenient checks as a verifier does, value-set misses and
				older encodings being warnings. Exit 1 when a payload is invalid.`,
			examples: []string{
				"validate cert.json",
				"validate --lenient foreign.json",
				"validate --valuesets valuesets/ cert.json",
				"validate --example",
			},
			run: (*env).validate,
		},
		{
			name:     "example",
			summary:  "print the bundled example payload",
			usage:    []string{"example"},
			about:    `Prints the bundled example payload, a valid vaccination certificate's JSON, to start from.`,
			examples: []string{"example > cert.json"},
			run:      (*env).example,
		},
		{
			name:    "translit",
			summary: "the ICAO 9303 form of names",
			usage:   []string{"translit NAME..."},
			about: `Prints the ICAO 9303 machine-readable form of each name (nam/fnt, nam/gnt), one
				a line; a name longer than 80 characters is cut, with a warning. Exit 1 when a name
				cannot be transliterated.`,
			examples: []string{`translit "Musterfrau-Gößinger" "Пётр"   # MUSTERFRAU<GOESSINGER, PETR`},
			run:      (*env).translit,
		},
		{
			name:    "uvci",
			summary: "certificate identifiers",
			usage:   []string{"uvci new|check [FLAGS] [ARGUMENTS]"},
			about: `Makes and checks unique vaccination certificate identifiers (UVCI) in the
				eHealth Network's format, with its Luhn mod N check character.`,
			examples: []string{"uvci new --country ES --issuer MSND", "uvci check URN:UVCI:01:NL:187/37512422923"},
			subs: []*command{
				{
					name:    "uvci new",
					summary: "new certificate identifiers",
					usage:   []string{"uvci new --country CC --issuer PREFIX [-n N]"},
					about: `Prints N new random identifiers URN:UVCI:01:CC:PREFIX/UNIQUE#C, one a line,
						with their check character.`,
					examples: []string{"uvci new --country ES --issuer MSND -n 3"},
					run:      (*env).uvciNew,
				},
				{
					name:    "uvci check",
					summary: "check identifiers",
					usage:   []string{"uvci check [--lenient] UVCI..."},
					about: `Checks each identifier's syntax and, when it has one, its check character,
						and prints "valid" with its country, or "invalid" and why. Exit 1 when one is
						invalid.`,
					examples: []string{
						"uvci check URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B",
						"uvci check --lenient urn:uvci:01:nl:187/37512422923",
					},
					run: (*env).uvciCheck,
				},
			},
		},
		{
			name:    "doses",
			summary: "dn/sd of each dose of a vaccination history",
			usage:   []string{"doses FILE"},
			about: `Reads a person's vaccination history (JSON: {"priorInfection": false, "doses":
				[{"date": "YYYY-MM-DD", "mp": "EU/1/20/1528"}, ...]}; - for standard input) and prints
				each dose in date order as "DATE MP dn/sd", numbered as Annex II §5 says (single-dose
				vaccines complete the primary course with one dose; additional doses count on). Exit 1
				when the history is invalid.`,
			examples: []string{"doses history.json"},
			run:      (*env).doses,
		},
		{
			name:    "valuesets",
			summary: "the value sets in use",
			usage:   []string{"valuesets list|show [--valuesets DIR] [NAME]"},
			about: `Shows the value sets the system checks codes against: the embedded 2.12.0
				snapshot, or the JSON files of a directory (sets missing from it come from the
				snapshot).`,
			examples: []string{"valuesets list", "valuesets show vaccine-medicinal-product"},
			subs: []*command{
				{
					name:    "valuesets list",
					summary: "the value sets in use",
					usage:   []string{"valuesets list [--valuesets DIR]"},
					about: `Prints a table of the value sets: name, id, date, number of values, SHA-256
						and when each was last refreshed; warns on standard error of the sets not
						refreshed from the gateway in the last 24 hours.`,
					examples: []string{"valuesets list", "valuesets list --valuesets valuesets/"},
					run:      (*env).valuesetsList,
				},
				{
					name:    "valuesets show",
					summary: "the codes of one value set",
					usage:   []string{"valuesets show [--valuesets DIR] NAME"},
					about: `Prints the codes of one value set with their display names, marking the
						inactive ones. Exit 1 for a NAME that is no value set.`,
					examples: []string{"valuesets show vaccine-medicinal-product"},
					run:      (*env).valuesetsShow,
				},
			},
		},
		{
			name:    "pki",
			summary: "the country's signing certificates",
			usage:   []string{"pki csca|dsc [FLAGS]"},
			about: `Makes the country signing certificate authority (CSCA) and the document signer
				certificates (DSC) it signs, with keys in files or in a PKCS#11 token.`,
			examples: []string{"pki csca --country ES --out csca", "pki dsc --csca csca --out dsc"},
			subs: []*command{
				{
					name:    "pki csca",
					summary: "a country signing CA",
					usage:   []string{"pki csca --country CC --out DIR [--key URI] [--alg ES256|PS256] [--validity 1460d]"},
					about: `Makes a self-signed CSCA certificate for the country and writes it to
						DIR/cert.pem. Its key is --key, generated there when absent, or else a new file
						key DIR/key.pem (mode 0600). DIR must not hold a cert.pem or key.pem yet.`,
					examples: []string{
						"pki csca --country ES --out csca",
						"pki csca --country ES --out csca --key 'pkcs11:token=dcc;object=csca?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:pin.txt'",
					},
					run: (*env).pkiCSCA,
				},
				{
					name:    "pki dsc",
					summary: "a document signer certificate",
					usage:   []string{"pki dsc --csca DIR --out DIR [--csca-key URI] [--types v,t,r] [--key URI] [--alg ES256|PS256] [--validity 730d]"},
					about: `Makes a DSC signed by the CSCA of --csca (its cert.pem, and key.pem unless
						--csca-key) and writes it to DIR/cert.pem; prints its kid. Its key is --key,
						generated there when absent, or else a new file key DIR/key.pem. --types limits
						the certificate types it may sign (an extended key usage); it never outlives the
						CSCA.`,
					examples: []string{"pki dsc --csca csca --out dsc --types v,r"},
					run:      (*env).pkiDSC,
				},
			},
		},
		{
			name:    "sign",
			summary: "validate strictly, sign, print the HC1: string",
			usage:   []string{"sign --key URI --cert DSC.pem [--iss CC] [--validity 365d] [--qr FILE.png|FILE.svg] PAYLOAD.json"},
			about: `Validates a payload strictly (as issuance does: nothing invalid is signed), signs
				it as a CWT with the DSC's key and prints the HC1: string; --qr also writes its QR
				code. Exit 1, with every problem, when the payload is invalid.`,
			examples: []string{"sign --key file:dsc/key.pem --cert dsc/cert.pem --qr code.png cert.json > code.txt"},
			run:      (*env).sign,
		},
		{
			name:    "decode",
			summary: "show a certificate, unverified",
			usage:   []string{"decode [--json] HC1-STRING|IMAGE-FILE"},
			about: `Shows what a certificate says, its header, claims and payload, from the HC1:
				string, a text file holding it or an image (PNG, JPEG) of its QR code. The signature
				is NOT checked (use dcc verify). Exit 1 when it cannot be decoded.`,
			examples: []string{"decode code.png", "decode --json \"$(cat code.txt)\""},
			run:      (*env).decode,
		},
		{
			name:    "verify",
			summary: "VALID, INVALID or NOT ACCEPTED, every check explained",
			usage: []string{
				"verify (--trust PATH | --trustlist SRC --trustlist-anchor CSCA.pem) [--revocations SRC]",
				"       [--rules SRC --country CC [--region R]] [--at RFC3339] [--lang es|en] [--json] HC1-STRING|IMAGE-FILE",
			},
			about: `Verifies a certificate as a verifier does: its QR code or HC1: string, signature
				and DSC against the trusted certificates, validity, schema, revocation and, for a country of
				arrival, its business rules; prints one line per check, in Spanish or English, then
				VALID, INVALID or NOT ACCEPTED. A SRC is a file or an https:// URL; a plain http://
				URL is accepted only on this machine's loopback (127.0.0.1, localhost, [::1]), as
				that of a local dcc serve. Fetched documents are cached by ETag. Exit 0 only when
				VALID.`,
			examples: []string{
				"verify --trust trust.pem code.png",
				"verify --trustlist http://127.0.0.1:8080/api/v1/trustlist --trustlist-anchor dcc-data/pki/csca/cert.pem --revocations http://127.0.0.1:8080/api/v1/revocations code.png",
				"verify --trust trust.pem --rules rules/testdata/ES --country ES --lang es code.png",
			},
			run: (*env).verify,
		},
		{
			name:    "conformance",
			summary: "run the member states' test vectors",
			usage:   []string{"conformance [-v] DIR..."},
			about: `Runs the member states' test vectors (the dgc-testdata layout) and prints each
				failed check, the warnings, a table by country and "N passed, M failed" with the
				vectors excused as known issues. Exit 1 when a vector failed.`,
			examples: []string{"conformance ../shared/testdata/dgc-testdata"},
			run:      (*env).conformance,
		},
		{
			name:    "certlogic",
			summary: "the CertLogic engine",
			usage:   []string{"certlogic eval|test|validate-test [ARGUMENTS]"},
			about:   `Evaluates CertLogic expressions and runs CertLogic test suites in the official format.`,
			examples: []string{
				"certlogic eval rule.json data.json",
				"certlogic test ../shared/testdata/certlogic/testSuite",
			},
			subs: []*command{
				{
					name:    "certlogic eval",
					summary: "evaluate an expression, print the result as JSON",
					usage:   []string{"certlogic eval EXPRESSION.json DATA.json"},
					about: `Evaluates a CertLogic expression on a data context and prints the result as
						JSON; one of the two may be - for standard input. Exit 1 when a file is not
						JSON, the expression is invalid (every problem is listed) or evaluation fails.`,
					examples: []string{"certlogic eval rule.json data.json", "certlogic eval rule.json - < data.json"},
					run:      (*env).certlogicEval,
				},
				{
					name:    "certlogic test",
					summary: "run CertLogic evaluation test suites",
					usage:   []string{"certlogic test DIR|FILE..."},
					about: `Runs CertLogic evaluation test suites and prints each failed assertion,
						then "N passed, M failed". A file that is no such suite is a usage error (exit
						2); exit 1 when an assertion failed.`,
					examples: []string{"certlogic test ../shared/testdata/certlogic/testSuite"},
					run:      (*env).certlogicEvalTest,
				},
				{
					name:    "certlogic validate-test",
					summary: "run CertLogic validation test suites",
					usage:   []string{"certlogic validate-test DIR|FILE..."},
					about: `Runs CertLogic validation test suites (expressions the validator must accept
						or refuse) and prints each failed assertion, then "N passed, M failed". A file
						that is no such suite is a usage error (exit 2); exit 1 when an assertion
						failed.`,
					examples: []string{"certlogic validate-test ../shared/testdata/certlogic/validation-testSuite"},
					run:      (*env).certlogicValidateTest,
				},
			},
		},
		{
			name:     "rules",
			summary:  "business rules",
			usage:    []string{"rules test [FLAGS] DIR..."},
			about:    `Runs the tests of business rules and checks the rules as the gateway and the community tooling do.`,
			examples: []string{"rules test rules/testdata"},
			subs: []*command{
				{
					name:    "rules test",
					summary: "run business-rule tests and check the rules",
					usage:   []string{"rules test [--upload-at RFC3339|now [--published PATH]] DIR..."},
					about: `Finds every RULE-ID/rule.json under the directories, checks the rule and runs
						its tests RULE-ID/tests/*.json; prints one line per failure and per rule problem,
						then "N passed, M failed". --upload-at adds the gateway's checks of an upload at
						that time, --published the version checks against the rules published already.
						Exit 0 only when no test failed and no rule has a problem.`,
					examples: []string{
						"rules test rules/testdata",
						"rules test --upload-at now --published published/ staged/",
					},
					run: (*env).rulesTest,
				},
			},
		},
		{
			name:    "gateway",
			summary: "the EU DCC Gateway: a test server, onboarding, synchronisation",
			usage:   []string{"gateway serve|onboard|sync [FLAGS]"},
			about: `A server compatible with the EU DCC Gateway to test against (serve), its
				operator's onboarding of countries (onboard), and a national deployment's
				synchronisation with its gateway (sync).`,
			examples: []string{"gateway serve", "gateway sync --config dcc.json"},
			subs: []*command{
				{
					name:    "gateway serve",
					summary: "a server compatible with the EU DCC Gateway",
					usage: []string{
						"gateway serve [--data DIR] [--addr HOST:PORT]",
						"gateway serve --config FILE [--addr HOST:PORT]",
					},
					about: `Serves the EU DCC Gateway's API until interrupted. Without --config it runs
						a demo gateway in the --data directory, created on the first run with a trust
						anchor, a server TLS certificate and two onboarded countries, ES and FR (DEMO
						MATERIAL), on https://127.0.0.1:8090, and prints where each certificate is. With
						--config it runs a configured gateway (JSON: addr, tls, trustAnchor, database,
						trustedProxy; paths relative to the file).`,
					examples: []string{"gateway serve", "gateway serve --config gateway.json --addr 0.0.0.0:8090"},
					run:      (*env).gatewayServe,
				},
				{
					name:    "gateway onboard",
					summary: "onboard a country on a gateway",
					usage: []string{
						"gateway onboard --country CC --auth CERT.pem --upload CERT.pem --csca CERT.pem [--roles ROLE,...]",
						"                --ta-key URI --ta-cert CERT.pem --db DSN",
					},
					about: `Onboards a country on a gateway's database, each of its certificates signed
						with the trust anchor's key; for a country onboarded already, any of --auth,
						--upload and --csca adds certificates. --roles gives its AUTHENTICATION
						certificates revocation roles.`,
					examples: []string{
						"gateway onboard --country PT --auth auth.pem --upload upload.pem --csca csca.pem --ta-key file:ta/key.pem --ta-cert ta/cert.pem --db sqlite:gateway.db",
					},
					run: (*env).gatewayOnboard,
				},
				{
					name:    "gateway sync",
					summary: "synchronise a national deployment with its gateway now",
					usage:   []string{"gateway sync --config FILE [--upload-only] [--json]"},
					about: `Synchronises a national deployment (role all or registry, with a gateway
						section in its configuration) with its gateway once, now: what is due goes up
						(DSCs, revocations), and everything comes down, is checked and stored, or nothing
						is; a running dcc serve installs it within seconds. Prints the report. Exit 1 when
						the synchronisation failed.`,
					examples: []string{"gateway sync --config dcc.json", "gateway sync --config dcc.json --upload-only --json"},
					run:      (*env).gatewaySync,
				},
			},
		},
	}
	return root
}
