--
-- PostgreSQL database dump
--


-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: change; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.change (
    id integer NOT NULL,
    command_id integer NOT NULL,
    table_name character varying NOT NULL,
    row_id integer NOT NULL,
    op character varying NOT NULL,
    old character varying,
    new character varying,
    CONSTRAINT ck_change_op CHECK (((op)::text = ANY ((ARRAY['insert'::character varying, 'update'::character varying, 'delete'::character varying])::text[])))
);


--
-- Name: change_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.change_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: change_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.change_id_seq OWNED BY public.change.id;


--
-- Name: command; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.command (
    id integer NOT NULL,
    at character varying NOT NULL,
    line character varying NOT NULL,
    undoes integer,
    undone_by integer
);


--
-- Name: command_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.command_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: command_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.command_id_seq OWNED BY public.command.id;


--
-- Name: course; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.course (
    id integer NOT NULL,
    specialization_id integer NOT NULL,
    "position" integer NOT NULL,
    slug character varying NOT NULL,
    title character varying NOT NULL,
    description character varying,
    url character varying,
    certificate_url character varying
);


--
-- Name: course_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.course_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: course_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.course_id_seq OWNED BY public.course.id;


--
-- Name: coursetrack_schema; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.coursetrack_schema (
    application_id bigint NOT NULL,
    version integer NOT NULL
);


--
-- Name: goal; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.goal (
    id integer NOT NULL,
    specialization_id integer NOT NULL,
    target_on date NOT NULL
);


--
-- Name: goal_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.goal_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: goal_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.goal_id_seq OWNED BY public.goal.id;


--
-- Name: link; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.link (
    id integer NOT NULL,
    specialization_id integer,
    course_id integer,
    topic_id integer,
    url character varying NOT NULL,
    title character varying,
    added_on date NOT NULL,
    CONSTRAINT ck_link_one_owner CHECK ((((
CASE
    WHEN (specialization_id IS NULL) THEN 0
    ELSE 1
END +
CASE
    WHEN (course_id IS NULL) THEN 0
    ELSE 1
END) +
CASE
    WHEN (topic_id IS NULL) THEN 0
    ELSE 1
END) = 1))
);


--
-- Name: link_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.link_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: link_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.link_id_seq OWNED BY public.link.id;


--
-- Name: note; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.note (
    id integer NOT NULL,
    specialization_id integer,
    course_id integer,
    topic_id integer,
    written_on date NOT NULL,
    text character varying NOT NULL,
    CONSTRAINT ck_note_one_owner CHECK ((((
CASE
    WHEN (specialization_id IS NULL) THEN 0
    ELSE 1
END +
CASE
    WHEN (course_id IS NULL) THEN 0
    ELSE 1
END) +
CASE
    WHEN (topic_id IS NULL) THEN 0
    ELSE 1
END) = 1))
);


--
-- Name: note_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.note_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: note_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.note_id_seq OWNED BY public.note.id;


--
-- Name: progress; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.progress (
    id integer NOT NULL,
    specialization_id integer,
    course_id integer,
    topic_id integer,
    status character varying DEFAULT 'todo'::character varying NOT NULL,
    started_on date,
    completed_on date,
    CONSTRAINT ck_progress_one_owner CHECK ((((
CASE
    WHEN (specialization_id IS NULL) THEN 0
    ELSE 1
END +
CASE
    WHEN (course_id IS NULL) THEN 0
    ELSE 1
END) +
CASE
    WHEN (topic_id IS NULL) THEN 0
    ELSE 1
END) = 1)),
    CONSTRAINT ck_progress_status CHECK (((status)::text = ANY ((ARRAY['todo'::character varying, 'in-progress'::character varying, 'done'::character varying])::text[])))
);


--
-- Name: progress_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.progress_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: progress_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.progress_id_seq OWNED BY public.progress.id;


--
-- Name: review; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.review (
    id integer NOT NULL,
    topic_id integer NOT NULL,
    reviewed_on date NOT NULL,
    grade character varying NOT NULL,
    interval_days integer NOT NULL,
    due_on date NOT NULL,
    CONSTRAINT ck_review_grade CHECK (((grade)::text = ANY ((ARRAY['again'::character varying, 'hard'::character varying, 'good'::character varying, 'easy'::character varying])::text[])))
);


--
-- Name: review_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.review_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: review_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.review_id_seq OWNED BY public.review.id;


--
-- Name: specialization; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.specialization (
    id integer NOT NULL,
    slug character varying NOT NULL,
    title character varying NOT NULL,
    provider character varying,
    url character varying,
    description character varying,
    certificate_url character varying
);


--
-- Name: specialization_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.specialization_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: specialization_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.specialization_id_seq OWNED BY public.specialization.id;


--
-- Name: topic; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.topic (
    id integer NOT NULL,
    course_id integer NOT NULL,
    "position" integer NOT NULL,
    slug character varying NOT NULL,
    title character varying NOT NULL,
    description character varying,
    url character varying
);


--
-- Name: topic_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.topic_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: topic_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.topic_id_seq OWNED BY public.topic.id;


--
-- Name: change id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.change ALTER COLUMN id SET DEFAULT nextval('public.change_id_seq'::regclass);


--
-- Name: command id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.command ALTER COLUMN id SET DEFAULT nextval('public.command_id_seq'::regclass);


--
-- Name: course id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.course ALTER COLUMN id SET DEFAULT nextval('public.course_id_seq'::regclass);


--
-- Name: goal id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.goal ALTER COLUMN id SET DEFAULT nextval('public.goal_id_seq'::regclass);


--
-- Name: link id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.link ALTER COLUMN id SET DEFAULT nextval('public.link_id_seq'::regclass);


--
-- Name: note id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.note ALTER COLUMN id SET DEFAULT nextval('public.note_id_seq'::regclass);


--
-- Name: progress id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.progress ALTER COLUMN id SET DEFAULT nextval('public.progress_id_seq'::regclass);


--
-- Name: review id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.review ALTER COLUMN id SET DEFAULT nextval('public.review_id_seq'::regclass);


--
-- Name: specialization id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.specialization ALTER COLUMN id SET DEFAULT nextval('public.specialization_id_seq'::regclass);


--
-- Name: topic id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.topic ALTER COLUMN id SET DEFAULT nextval('public.topic_id_seq'::regclass);


--
-- Data for Name: change; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: command; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.command VALUES (1, '2025-02-03T09:00:00+00:00', 'start dls/2/2 --on 2025-02-03', NULL, NULL);


--
-- Data for Name: course; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.course VALUES (1, 1, 1, 'neural-networks', 'Neural Networks and Deep Learning', 'The foundations of deep learning: logistic regression as a neural network, vectorized forward and backward propagation, shallow networks with one hidden layer, and deep L-layer networks built from scratch in NumPy.', 'https://www.coursera.org/learn/neural-networks-deep-learning', NULL);
INSERT INTO public.course VALUES (2, 1, 2, 'improving', 'Improving Deep Neural Networks: Hyperparameter Tuning, Regularization and Optimization', 'How to make deep networks train well: train/dev/test splits, bias and variance, L2 and dropout regularization, initialization, gradient checking, mini-batch gradient descent, momentum, RMSprop and Adam, learning rate decay, hyperparameter search, batch normalization and TensorFlow.', 'https://www.coursera.org/learn/deep-neural-network', NULL);
INSERT INTO public.course VALUES (3, 1, 3, 'structuring', 'Structuring Machine Learning Projects', 'How to lead a machine learning project: single-number evaluation metrics, satisficing and optimizing metrics, human-level performance, error analysis, mismatched training and dev distributions, transfer learning, multi-task learning and end-to-end deep learning.', 'https://www.coursera.org/learn/machine-learning-projects', NULL);
INSERT INTO public.course VALUES (4, 1, 4, 'cnn', 'Convolutional Neural Networks', 'Convolution, padding, stride and pooling; classic and residual architectures (LeNet-5, AlexNet, VGG, ResNet, Inception, MobileNet); object detection with YOLO; face recognition and neural style transfer.', 'https://www.coursera.org/learn/convolutional-neural-networks', NULL);
INSERT INTO public.course VALUES (5, 1, 5, 'sequence-models', 'Sequence Models', 'Recurrent networks, GRUs and LSTMs; word embeddings (word2vec, GloVe) and their uses in NLP; sequence-to-sequence models with beam search and attention for translation and speech; and the transformer architecture.', 'https://www.coursera.org/learn/nlp-sequence-models', NULL);
INSERT INTO public.course VALUES (6, 2, 1, 'reading-sicp', 'Reading SICP', NULL, NULL, NULL);


--
-- Data for Name: coursetrack_schema; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.coursetrack_schema VALUES (1129607779, 2);


--
-- Data for Name: goal; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: link; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: note; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.note VALUES (1, NULL, 1, NULL, '2026-11-26', 'first course: done');
INSERT INTO public.note VALUES (2, NULL, NULL, 5, '2025-02-02', 'dropout: ''inverted''');


--
-- Data for Name: progress; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.progress VALUES (1, NULL, NULL, 1, 'done', '2025-01-05', '2025-01-20');
INSERT INTO public.progress VALUES (2, NULL, NULL, 2, 'done', NULL, '2025-01-20');
INSERT INTO public.progress VALUES (3, NULL, NULL, 3, 'done', NULL, '2025-01-20');
INSERT INTO public.progress VALUES (4, NULL, NULL, 4, 'done', NULL, '2025-01-20');
INSERT INTO public.progress VALUES (5, NULL, 1, NULL, 'todo', NULL, NULL);
INSERT INTO public.progress VALUES (6, NULL, NULL, 5, 'done', NULL, '2025-02-02');
INSERT INTO public.progress VALUES (7, NULL, NULL, 6, 'in-progress', '2025-02-03', NULL);
INSERT INTO public.progress VALUES (8, NULL, 6, NULL, 'done', NULL, '2024-12-31');


--
-- Data for Name: review; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: specialization; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.specialization VALUES (1, 'dls', 'Deep Learning Specialization', 'Coursera / DeepLearning.AI', 'https://www.coursera.org/specializations/deep-learning', 'Five courses by Andrew Ng that build deep learning from a single neuron up to convolutional networks, sequence models and transformers, with programming assignments in Python, NumPy and TensorFlow.', 'https://coursera.org/verify/OLD');
INSERT INTO public.specialization VALUES (2, 'self', 'Self-taught: ñ & more', NULL, NULL, NULL, NULL);


--
-- Data for Name: topic; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.topic VALUES (1, 1, 1, 'introduction', 'Introduction to Deep Learning', NULL, NULL);
INSERT INTO public.topic VALUES (2, 1, 2, 'basics', 'Neural Networks Basics', NULL, NULL);
INSERT INTO public.topic VALUES (3, 1, 3, 'shallow', 'Shallow Neural Networks', NULL, NULL);
INSERT INTO public.topic VALUES (4, 1, 4, 'deep', 'Deep Neural Networks', NULL, NULL);
INSERT INTO public.topic VALUES (5, 2, 1, 'practical-aspects', 'Practical Aspects of Deep Learning', NULL, NULL);
INSERT INTO public.topic VALUES (6, 2, 2, 'optimization', 'Optimization Algorithms', NULL, NULL);
INSERT INTO public.topic VALUES (7, 2, 3, 'tuning', 'Hyperparameter Tuning, Batch Normalization and Programming Frameworks', NULL, NULL);
INSERT INTO public.topic VALUES (8, 3, 1, 'strategy-1', 'ML Strategy (1)', NULL, NULL);
INSERT INTO public.topic VALUES (9, 3, 2, 'strategy-2', 'ML Strategy (2)', NULL, NULL);
INSERT INTO public.topic VALUES (10, 4, 1, 'foundations', 'Foundations of Convolutional Neural Networks', NULL, NULL);
INSERT INTO public.topic VALUES (11, 4, 2, 'case-studies', 'Deep Convolutional Models: Case Studies', NULL, NULL);
INSERT INTO public.topic VALUES (12, 4, 3, 'detection', 'Object Detection', NULL, NULL);
INSERT INTO public.topic VALUES (13, 4, 4, 'special-applications', 'Special Applications: Face Recognition & Neural Style Transfer', NULL, NULL);
INSERT INTO public.topic VALUES (14, 5, 1, 'rnn', 'Recurrent Neural Networks', NULL, NULL);
INSERT INTO public.topic VALUES (15, 5, 2, 'word-embeddings', 'Natural Language Processing & Word Embeddings', NULL, NULL);
INSERT INTO public.topic VALUES (16, 5, 3, 'attention', 'Sequence Models & Attention Mechanism', NULL, NULL);
INSERT INTO public.topic VALUES (17, 5, 4, 'transformers', 'Transformer Network', NULL, NULL);


--
-- Name: change_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.change_id_seq', 1, false);


--
-- Name: command_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.command_id_seq', 1, true);


--
-- Name: course_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.course_id_seq', 6, true);


--
-- Name: goal_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.goal_id_seq', 1, false);


--
-- Name: link_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.link_id_seq', 1, false);


--
-- Name: note_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.note_id_seq', 2, true);


--
-- Name: progress_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.progress_id_seq', 8, true);


--
-- Name: review_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.review_id_seq', 1, false);


--
-- Name: specialization_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.specialization_id_seq', 2, true);


--
-- Name: topic_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.topic_id_seq', 17, true);


--
-- Name: change change_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.change
    ADD CONSTRAINT change_pkey PRIMARY KEY (id);


--
-- Name: command command_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.command
    ADD CONSTRAINT command_pkey PRIMARY KEY (id);


--
-- Name: course course_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.course
    ADD CONSTRAINT course_pkey PRIMARY KEY (id);


--
-- Name: course course_specialization_id_slug_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.course
    ADD CONSTRAINT course_specialization_id_slug_key UNIQUE (specialization_id, slug);


--
-- Name: goal goal_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.goal
    ADD CONSTRAINT goal_pkey PRIMARY KEY (id);


--
-- Name: goal goal_specialization_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.goal
    ADD CONSTRAINT goal_specialization_id_key UNIQUE (specialization_id);


--
-- Name: link link_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.link
    ADD CONSTRAINT link_pkey PRIMARY KEY (id);


--
-- Name: note note_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.note
    ADD CONSTRAINT note_pkey PRIMARY KEY (id);


--
-- Name: progress progress_course_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.progress
    ADD CONSTRAINT progress_course_id_key UNIQUE (course_id);


--
-- Name: progress progress_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.progress
    ADD CONSTRAINT progress_pkey PRIMARY KEY (id);


--
-- Name: progress progress_specialization_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.progress
    ADD CONSTRAINT progress_specialization_id_key UNIQUE (specialization_id);


--
-- Name: progress progress_topic_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.progress
    ADD CONSTRAINT progress_topic_id_key UNIQUE (topic_id);


--
-- Name: review review_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.review
    ADD CONSTRAINT review_pkey PRIMARY KEY (id);


--
-- Name: specialization specialization_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.specialization
    ADD CONSTRAINT specialization_pkey PRIMARY KEY (id);


--
-- Name: specialization specialization_slug_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.specialization
    ADD CONSTRAINT specialization_slug_key UNIQUE (slug);


--
-- Name: topic topic_course_id_slug_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.topic
    ADD CONSTRAINT topic_course_id_slug_key UNIQUE (course_id, slug);


--
-- Name: topic topic_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.topic
    ADD CONSTRAINT topic_pkey PRIMARY KEY (id);


--
-- Name: ix_change_command_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_change_command_id ON public.change USING btree (command_id);


--
-- Name: ix_course_specialization_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_course_specialization_id ON public.course USING btree (specialization_id, "position");


--
-- Name: ix_link_course_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_link_course_id ON public.link USING btree (course_id);


--
-- Name: ix_link_specialization_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_link_specialization_id ON public.link USING btree (specialization_id);


--
-- Name: ix_link_topic_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_link_topic_id ON public.link USING btree (topic_id);


--
-- Name: ix_note_course_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_note_course_id ON public.note USING btree (course_id);


--
-- Name: ix_note_specialization_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_note_specialization_id ON public.note USING btree (specialization_id);


--
-- Name: ix_note_topic_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_note_topic_id ON public.note USING btree (topic_id);


--
-- Name: ix_review_topic_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_review_topic_id ON public.review USING btree (topic_id, reviewed_on);


--
-- Name: ix_topic_course_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_topic_course_id ON public.topic USING btree (course_id, "position");


--
-- Name: change change_command_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.change
    ADD CONSTRAINT change_command_id_fkey FOREIGN KEY (command_id) REFERENCES public.command(id) DEFERRABLE;


--
-- Name: command command_undoes_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.command
    ADD CONSTRAINT command_undoes_fkey FOREIGN KEY (undoes) REFERENCES public.command(id) DEFERRABLE;


--
-- Name: command command_undone_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.command
    ADD CONSTRAINT command_undone_by_fkey FOREIGN KEY (undone_by) REFERENCES public.command(id) DEFERRABLE;


--
-- Name: course course_specialization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.course
    ADD CONSTRAINT course_specialization_id_fkey FOREIGN KEY (specialization_id) REFERENCES public.specialization(id) ON DELETE CASCADE DEFERRABLE;


--
-- Name: goal goal_specialization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.goal
    ADD CONSTRAINT goal_specialization_id_fkey FOREIGN KEY (specialization_id) REFERENCES public.specialization(id) ON DELETE CASCADE DEFERRABLE;


--
-- Name: link link_course_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.link
    ADD CONSTRAINT link_course_id_fkey FOREIGN KEY (course_id) REFERENCES public.course(id) ON DELETE CASCADE DEFERRABLE;


--
-- Name: link link_specialization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.link
    ADD CONSTRAINT link_specialization_id_fkey FOREIGN KEY (specialization_id) REFERENCES public.specialization(id) ON DELETE CASCADE DEFERRABLE;


--
-- Name: link link_topic_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.link
    ADD CONSTRAINT link_topic_id_fkey FOREIGN KEY (topic_id) REFERENCES public.topic(id) ON DELETE CASCADE DEFERRABLE;


--
-- Name: note note_course_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.note
    ADD CONSTRAINT note_course_id_fkey FOREIGN KEY (course_id) REFERENCES public.course(id) ON DELETE CASCADE DEFERRABLE;


--
-- Name: note note_specialization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.note
    ADD CONSTRAINT note_specialization_id_fkey FOREIGN KEY (specialization_id) REFERENCES public.specialization(id) ON DELETE CASCADE DEFERRABLE;


--
-- Name: note note_topic_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.note
    ADD CONSTRAINT note_topic_id_fkey FOREIGN KEY (topic_id) REFERENCES public.topic(id) ON DELETE CASCADE DEFERRABLE;


--
-- Name: progress progress_course_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.progress
    ADD CONSTRAINT progress_course_id_fkey FOREIGN KEY (course_id) REFERENCES public.course(id) ON DELETE CASCADE DEFERRABLE;


--
-- Name: progress progress_specialization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.progress
    ADD CONSTRAINT progress_specialization_id_fkey FOREIGN KEY (specialization_id) REFERENCES public.specialization(id) ON DELETE CASCADE DEFERRABLE;


--
-- Name: progress progress_topic_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.progress
    ADD CONSTRAINT progress_topic_id_fkey FOREIGN KEY (topic_id) REFERENCES public.topic(id) ON DELETE CASCADE DEFERRABLE;


--
-- Name: review review_topic_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.review
    ADD CONSTRAINT review_topic_id_fkey FOREIGN KEY (topic_id) REFERENCES public.topic(id) ON DELETE CASCADE DEFERRABLE;


--
-- Name: topic topic_course_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.topic
    ADD CONSTRAINT topic_course_id_fkey FOREIGN KEY (course_id) REFERENCES public.course(id) ON DELETE CASCADE DEFERRABLE;


--
-- PostgreSQL database dump complete
--


