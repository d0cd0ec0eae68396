/*
 * spoolfmt: the spool file format, spampot-spool(5), the one contract
 * between the sensor (which writes it from attacker input) and the
 * analyzer (which reads it).
 */
#ifndef SPAMPOT_SPOOLFMT_H
#define SPAMPOT_SPOOLFMT_H

#define SPOOL_VERSION		1
#define SPOOL_MAGIC		"spampot-spool"
#define SPOOL_NAME_MAX		128
#define SPOOL_BODY_DIGITS	10

#endif
