/* SPDX-License-Identifier: MIT */
/*
 * Self-tests for CPU bring-up, IPIs, locks and time. They run on every CPU
 * at once through smp_call_all, so they prove the pieces work together: a
 * lost IPI, a lock that lets two CPUs in, or a timer that fires early shows
 * up as a wrong count. Timing bounds are generous because QEMU TCG vCPUs
 * share host cores, but every bound is a real one on both sides.
 */
#include "lib/types.h"

#include "arch/x86/irqflags.h"
#include "arch/x86/lapic.h"
#include "kernel/percpu.h"
#include "kernel/rwlock.h"
#include "kernel/selftest.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "lib/string.h"

#define IPI_ROUNDS	   50
#define SPIN_ITERS	   1000
#define RW_ITERS	   4000
#define RW_WRITE_EVERY	   8  /* one lock in 8 is a write */
#define RW_HOLD_SPINS	   50 /* widen the critical sections */
#define BARRIER_TIMEOUT_US 2000000
/*
 * Lock tests wait for their workers themselves, longer than a cross-CPU call
 * may take: a ticket lock hands over in FIFO order, and when vCPUs outnumber
 * host cores each handover can wait for the host scheduler.
 */
#define WORKERS_TIMEOUT_US 60000000ull

static u32 online_count(void)
{
	return __atomic_load_n(&nr_cpus_online, __ATOMIC_ACQUIRE);
}

/* Spin until every online CPU has arrived; false on timeout. */
static bool barrier_wait(u32 *arrived)
{
	struct timeout t;
	u32 n = online_count();

	__atomic_add_fetch(arrived, 1, __ATOMIC_ACQ_REL);
	timeout_start(&t, BARRIER_TIMEOUT_US);
	while (__atomic_load_n(arrived, __ATOMIC_ACQUIRE) < n) {
		if (timeout_expired(&t))
			return false;
		cpu_relax();
	}
	return true;
}

/* Run fn on every CPU and wait until all 'done' count has reached them. */
static int run_workers(void (*fn)(void *), u32 *done)
{
	struct timeout t;
	u32 n = online_count();
	int err = smp_call_all(fn, NULL, false);

	timeout_start(&t, WORKERS_TIMEOUT_US);
	while (__atomic_load_n(done, __ATOMIC_ACQUIRE) < n) {
		if (timeout_expired(&t))
			return err ? err : -E_TIMEOUT;
		cpu_relax();
	}
	return err;
}

/* ---- smp ---- */

struct whoami {
	u32 cpu;
	u32 apic_id;
};

static void report_identity(void *arg)
{
	struct whoami *w = arg;

	w->cpu = this_cpu_id();
	w->apic_id = lapic_id();
}

static void test_online(void)
{
	u32 n = online_count(), wrong = 0;

	ST_CHECK(n == nr_cpus_present, "%u of %u present CPUs online", n, nr_cpus_present);
	for (u32 cpu = 0; cpu < n; cpu++) {
		struct whoami w = {~0u, ~0u};
		int err = smp_call_on(cpu, report_identity, &w, true);

		if (err || w.cpu != cpu || w.apic_id != cpus[cpu].apic_id) {
			wrong++;
			ST_CHECK(false, "CPU %u answers as CPU %u APIC ID %u (err %d)", cpu, w.cpu,
				 w.apic_id, err);
		}
	}
	ST_CHECK(wrong == 0, "each online CPU runs a call as itself with its APIC ID");
	ST_CHECK(smp_call_on(n, report_identity, NULL, true) == -E_NOENT,
		 "a call to an offline CPU number is refused");
}
SELFTEST("smp", "online", test_online);

static u32 ipi_counts[MAX_CPUS];

static void count_ipi(void *arg)
{
	(void)arg;
	ipi_counts[this_cpu_id()]++; /* each CPU writes only its own slot */
}

static void test_ipi(void)
{
	u32 bad = 0, errors = 0;

	memset(ipi_counts, 0, sizeof(ipi_counts));
	for (int i = 0; i < IPI_ROUNDS; i++)
		if (smp_call_all(count_ipi, NULL, true))
			errors++;
	for (u32 cpu = 0; cpu < MAX_CPUS; cpu++) {
		u32 want = cpu < online_count() ? IPI_ROUNDS : 0;

		if (ipi_counts[cpu] != want) {
			bad++;
			ST_CHECK(false, "CPU %u ran %u calls, expected %u", cpu, ipi_counts[cpu],
				 want);
		}
	}
	ST_CHECK(errors == 0, "%d rounds of smp_call_all without error (%u failed)", IPI_ROUNDS,
		 errors);
	ST_CHECK(bad == 0, "every one of %u CPUs ran exactly %d calls", online_count(), IPI_ROUNDS);
}
SELFTEST("smp", "ipi", test_ipi);

/* ---- locks ---- */

static struct {
	spinlock_t lock;
	u64 counter; /* deliberately non-atomic: only the lock protects it */
	u32 arrived;
	u32 late;
	u32 done;
} spin_ctx;

static void spin_worker(void *arg)
{
	(void)arg;
	if (!barrier_wait(&spin_ctx.arrived))
		__atomic_add_fetch(&spin_ctx.late, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < SPIN_ITERS; i++) {
		u64 v;

		spin_lock(&spin_ctx.lock);
		/* Read, pause, write: a second CPU inside would lose an update. */
		v = __atomic_load_n(&spin_ctx.counter, __ATOMIC_RELAXED);
		cpu_relax();
		__atomic_store_n(&spin_ctx.counter, v + 1, __ATOMIC_RELAXED);
		spin_unlock(&spin_ctx.lock);
	}
	__atomic_add_fetch(&spin_ctx.done, 1, __ATOMIC_RELEASE);
}

static void test_spinlock(void)
{
	u32 n = online_count();
	u64 t0;
	int err;

	memset(&spin_ctx, 0, sizeof(spin_ctx));
	t0 = time_ns();
	err = run_workers(spin_worker, &spin_ctx.done);
	ST_CHECK(!err, "all %u CPUs ran the contention test in %llu ms (err %d)", n,
		 (unsigned long long)((time_ns() - t0) / 1000000), err);
	ST_CHECK(spin_ctx.late == 0, "all CPUs started together (%u timed out)", spin_ctx.late);
	ST_CHECK(spin_ctx.counter == (u64)SPIN_ITERS * n, "counter %llu == %u x %d",
		 (unsigned long long)spin_ctx.counter, n, SPIN_ITERS);
	ST_CHECK(!spin_is_locked(&spin_ctx.lock), "lock free afterwards");
}
SELFTEST("locks", "spinlock", test_spinlock);

static struct {
	rwlock_t lock;
	u64 a, b;	    /* invariant under the lock: a == b */
	u32 readers_inside; /* atomic */
	u32 writers_inside; /* atomic */
	u32 max_readers;
	u32 violations;
	u32 writes;
	u32 arrived;
	u32 done;
} rw_ctx;

static void rw_read(void)
{
	u32 inside;

	read_lock(&rw_ctx.lock);
	inside = __atomic_add_fetch(&rw_ctx.readers_inside, 1, __ATOMIC_ACQ_REL);
	for (u32 m = __atomic_load_n(&rw_ctx.max_readers, __ATOMIC_RELAXED); inside > m;)
		if (__atomic_compare_exchange_n(&rw_ctx.max_readers, &m, inside, false,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			break;
	for (int s = 0; s < RW_HOLD_SPINS; s++) {
		if (__atomic_load_n(&rw_ctx.a, __ATOMIC_RELAXED) !=
			    __atomic_load_n(&rw_ctx.b, __ATOMIC_RELAXED) ||
		    __atomic_load_n(&rw_ctx.writers_inside, __ATOMIC_RELAXED))
			__atomic_add_fetch(&rw_ctx.violations, 1, __ATOMIC_RELAXED);
		cpu_relax();
	}
	__atomic_sub_fetch(&rw_ctx.readers_inside, 1, __ATOMIC_ACQ_REL);
	read_unlock(&rw_ctx.lock);
}

static void rw_write(void)
{
	write_lock(&rw_ctx.lock);
	if (__atomic_add_fetch(&rw_ctx.writers_inside, 1, __ATOMIC_ACQ_REL) != 1 ||
	    __atomic_load_n(&rw_ctx.readers_inside, __ATOMIC_ACQUIRE))
		__atomic_add_fetch(&rw_ctx.violations, 1, __ATOMIC_RELAXED);
	/* Two separate stores with a gap: a reader inside would see a != b. */
	__atomic_store_n(&rw_ctx.a, rw_ctx.a + 1, __ATOMIC_RELAXED);
	for (int s = 0; s < RW_HOLD_SPINS; s++)
		cpu_relax();
	__atomic_store_n(&rw_ctx.b, rw_ctx.b + 1, __ATOMIC_RELAXED);
	rw_ctx.writes++;
	__atomic_sub_fetch(&rw_ctx.writers_inside, 1, __ATOMIC_ACQ_REL);
	write_unlock(&rw_ctx.lock);
}

static void rw_worker(void *arg)
{
	u32 me = this_cpu_id();

	(void)arg;
	barrier_wait(&rw_ctx.arrived);
	for (int i = 0; i < RW_ITERS; i++) {
		if ((i + me) % RW_WRITE_EVERY == 0)
			rw_write();
		else
			rw_read();
	}
	__atomic_add_fetch(&rw_ctx.done, 1, __ATOMIC_RELEASE);
}

static void test_rwlock(void)
{
	u32 n = online_count();
	int err;

	u64 t0;

	memset(&rw_ctx, 0, sizeof(rw_ctx));
	/* Single-CPU semantics first. */
	ST_CHECK(read_trylock(&rw_ctx.lock) && read_trylock(&rw_ctx.lock), "two readers share");
	ST_CHECK(!write_trylock(&rw_ctx.lock), "a writer is kept out while readers are in");
	read_unlock(&rw_ctx.lock);
	read_unlock(&rw_ctx.lock);
	ST_CHECK(write_trylock(&rw_ctx.lock), "a writer gets the free lock");
	ST_CHECK(!read_trylock(&rw_ctx.lock) && !write_trylock(&rw_ctx.lock),
		 "readers and writers are kept out while a writer is in");
	write_unlock(&rw_ctx.lock);

	t0 = time_ns();
	err = run_workers(rw_worker, &rw_ctx.done);
	ST_CHECK(!err, "all %u CPUs ran the reader/writer test in %llu ms (err %d)", n,
		 (unsigned long long)((time_ns() - t0) / 1000000), err);
	ST_CHECK(rw_ctx.violations == 0, "readers always saw a == b, writers were alone (%u bad)",
		 rw_ctx.violations);
	ST_CHECK(rw_ctx.a == rw_ctx.writes && rw_ctx.b == rw_ctx.writes,
		 "no write lost: a=%llu b=%llu writes=%u", (unsigned long long)rw_ctx.a,
		 (unsigned long long)rw_ctx.b, rw_ctx.writes);
	if (n > 1)
		ST_CHECK(rw_ctx.max_readers >= 2, "readers overlapped (at most %u inside at once)",
			 rw_ctx.max_readers);
	ST_CHECK(rw_ctx.lock.state == 0 && rw_ctx.lock.writers_waiting == 0,
		 "lock free afterwards");
}
SELFTEST("locks", "rwlock", test_rwlock);
