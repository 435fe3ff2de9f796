/* Shared by the headers of this minimal library (see README). */
#ifndef DEEPSPEED_MSVC_STL_BASE_H
#define DEEPSPEED_MSVC_STL_BASE_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

namespace std {
using ::size_t;
using ::int64_t;
using ::uint64_t;

template <class T> const T &min(const T &a, const T &b) { return b < a ? b : a; }
template <class T> const T &max(const T &a, const T &b) { return a < b ? b : a; }

template <class It> It min_element(It first, It last)
{
	It best = first;
	for (; first != last; ++first)
		if (*first < *best)
			best = first;
	return best;
}
template <class It> It max_element(It first, It last)
{
	It best = first;
	for (; first != last; ++first)
		if (*best < *first)
			best = first;
	return best;
}
template <class It, class T> T accumulate(It first, It last, T init)
{
	for (; first != last; ++first)
		init = init + *first;
	return init;
}

class string {
public:
	string() { assign("", 0); }
	string(const char *s) { assign(s, strlen(s)); }
	string(const char *s, size_t n) { assign(s, n); }
	string(const string &o) { assign(o.p, o.n); }
	~string() { free(p); }
	string &operator=(const string &o)
	{
		if (this != &o) {
			free(p);
			assign(o.p, o.n);
		}
		return *this;
	}
	const char *c_str() const { return p; }
	const char *data() const { return p; }
	size_t size() const { return n; }
	size_t length() const { return n; }
	string &operator+=(const string &o)
	{
		char *q = static_cast<char *>(malloc(n + o.n + 1));
		if (!q)
			abort();
		memcpy(q, p, n);
		memcpy(q + n, o.p, o.n + 1);
		free(p);
		p = q;
		n += o.n;
		return *this;
	}
	friend string operator+(const string &a, const string &b)
	{
		string r(a);
		r += b;
		return r;
	}
	friend string operator+(const string &a, const char *b) { return a + string(b); }
	friend string operator+(const char *a, const string &b) { return string(a) + b; }
	friend bool operator==(const string &a, const string &b) { return a.n == b.n && memcmp(a.p, b.p, a.n) == 0; }

private:
	void assign(const char *s, size_t len)
	{
		p = static_cast<char *>(malloc(len + 1));
		if (!p)
			abort();
		memcpy(p, s, len);
		p[len] = 0;
		n = len;
	}
	char *p;
	size_t n;
};

inline string to_string(int v)
{
	char b[16];
	snprintf(b, sizeof b, "%d", v);
	return string(b);
}
inline string to_string(long long v)
{
	char b[24];
	snprintf(b, sizeof b, "%lld", v);
	return string(b);
}

class ostream {
public:
	explicit ostream(int fd) : fd_(fd) {}
	ostream &operator<<(const char *s) { return put("%s", s); }
	ostream &operator<<(const string &s) { return put("%s", s.c_str()); }
	ostream &operator<<(char c) { return put("%c", c); }
	ostream &operator<<(int v) { return put("%d", v); }
	ostream &operator<<(unsigned v) { return put("%u", v); }
	ostream &operator<<(long v) { return put("%ld", v); }
	ostream &operator<<(unsigned long v) { return put("%lu", v); }
	ostream &operator<<(long long v) { return put("%lld", v); }
	ostream &operator<<(unsigned long long v) { return put("%llu", v); }
	ostream &operator<<(double v) { return put("%g", v); }
	ostream &operator<<(float v) { return put("%g", static_cast<double>(v)); }
	ostream &operator<<(bool v) { return put("%d", v ? 1 : 0); }
	ostream &operator<<(ostream &(*manipulator)(ostream &)) { return manipulator(*this); }
	ostream &flush()
	{
		fflush(file());
		return *this;
	}

private:
	FILE *file() const { return fd_ == 2 ? stderr : stdout; }
	template <class T> ostream &put(const char *format, T v)
	{
		fprintf(file(), format, v);
		return *this;
	}
	int fd_;
};
inline ostream &endl(ostream &o)
{
	o << '\n';
	return o.flush();
}
inline ostream cout(1);
inline ostream cerr(2);
} // namespace std
#endif
